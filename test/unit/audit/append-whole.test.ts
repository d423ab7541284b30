import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendWhole } from '../../../runtime/audit/append-file.js';

test('an append that fails part-way (a full disk) is cut back: no torn line for the retry to follow', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-append-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, 'audit.jsonl');
  const handle = await open(path, 'a');
  t.after(() => handle.close());
  await handle.appendFile('{"a":1}\n');
  const halfThenFull = {
    appendFile: async (data: string | Buffer) => { await handle.appendFile(String(data).slice(0, 5)); throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }); },
    truncate: (length?: number) => handle.truncate(length),
  };
  await assert.rejects(appendWhole(halfThenFull, '{"b":2}\n{"c":3}\n', 8), /no space left/);
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n');
  await appendWhole(handle, '{"b":2}\n', 8);
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"b":2}\n');
});
