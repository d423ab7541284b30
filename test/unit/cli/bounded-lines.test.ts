import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { boundedLines } from '../../../cli/audit/bounded-lines.js';

async function lines(content: string | Buffer, maxBytes: number): Promise<(string | undefined)[]> {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-lines-'));
  try {
    writeFileSync(join(directory, 'f'), content);
    const out: (string | undefined)[] = [];
    for await (const line of boundedLines(join(directory, 'f'), maxBytes)) out.push(line);
    return out;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('lines split on \\n, a trailing \\r dropped, the last line kept without its newline, multibyte text intact', async () => {
  assert.deepEqual(await lines('a\r\nbé\n\nlast', 100), ['a', 'bé', '', 'last']);
  assert.deepEqual(await lines('', 100), []);
});

test('a line over the limit is one undefined, skipped to its newline, and the lines after it are read', async () => {
  assert.deepEqual(await lines(`ok\n${'x'.repeat(50)}\nafter\n${'y'.repeat(11)}`, 10), ['ok', undefined, 'after', undefined]);
  // Across read chunks (64 KiB): never accumulated past the limit.
  assert.deepEqual(await lines(`${'z'.repeat(300_000)}\nfine`, 1024), [undefined, 'fine']);
});
