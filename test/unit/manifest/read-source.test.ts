import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeSource, readBoundedStream, readManifestFile } from '../../../runtime/manifest/read-source.js';

test('reading a large file stops one byte past the limit', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-read-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'big.yaml');
  writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 0x61));
  assert.equal((await readManifestFile(file, 1024)).length, 1025);
  writeFileSync(file, 'small');
  assert.equal(Buffer.from(await readManifestFile(file, 1024)).toString(), 'small');
  await assert.rejects(readManifestFile(join(directory, 'missing.yaml')), { code: 'ENOENT' });
});

test('reading a stream stops consuming past the limit', async () => {
  let pulled = 0;
  async function* chunks() {
    for (;;) {
      pulled += 1;
      yield new Uint8Array(100);
    }
  }
  assert.equal((await readBoundedStream(chunks(), 250)).length, 251);
  assert.equal(pulled, 3);
});

test('invalid UTF-8 is located; overlong forms and surrogates are invalid; 4-byte characters are fine', () => {
  const at = (bytes: number[]) => {
    const decoded = decodeSource(new Uint8Array(bytes));
    return decoded.ok ? 'ok' : `${decoded.problem} ${decoded.position.line}:${decoded.position.column}`;
  };
  assert.equal(at([0x61, 0x0a, 0x62, 0xc0, 0x80]), 'not-utf8 2:2');
  assert.equal(at([0xed, 0xa0, 0x80]), 'not-utf8 1:1');
  assert.equal(at([0xe2, 0x82]), 'not-utf8 1:1');
  assert.equal(at([0xf0, 0x9f, 0x98, 0x80, 0x0a]), 'ok');
  assert.equal(at([0x61, 0x00]), 'control-character 1:2');
});

test('a BOM is dropped from bytes and strings alike', () => {
  const fromString = decodeSource('\uFEFFa: 1');
  const fromBytes = decodeSource(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]));
  assert.deepEqual(fromString, { ok: true, text: 'a: 1' });
  assert.deepEqual(fromBytes, { ok: true, text: 'a' });
});

test('size is counted in bytes, not characters', () => {
  assert.equal(decodeSource('é'.repeat(600), 1000).ok, false);
  assert.equal(decodeSource('e'.repeat(600), 1000).ok, true);
});
