/** `mkdir -p` for the audit directory: nested levels made, existing ones kept, a refusing parent fails at once. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeDirectory } from '../../../runtime/audit/make-directory.js';

test('makes every missing level, and is a no-op on an existing directory', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'aigw-mkdir-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const deep = join(root, 'a', 'b', 'c');
  await makeDirectory(deep);
  assert.ok(statSync(deep).isDirectory());
  await makeDirectory(deep);
  await makeDirectory(root);
});

test('a directory under one that refuses new entries (/proc) fails with the system error instead of hanging', { timeout: 5_000 }, async () => {
  await assert.rejects(makeDirectory('/proc/aigw-nope/x'), (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
});

test('a path through a file fails (ENOTDIR)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'aigw-mkdir-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(root, 'file'), '');
  await assert.rejects(makeDirectory(join(root, 'file', 'sub')), (error: NodeJS.ErrnoException) => error.code === 'ENOTDIR');
});
