import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstInvalidUtf8Offset } from '../../../runtime/server/json-body-parser.js';
import { testApp } from './app-harness.js';

const prefix = Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"caf');
const suffix = Buffer.from('"}]}');

function post(body: Buffer) {
  return { method: 'POST' as const, url: '/v1/chat/completions', payload: body, headers: { 'content-type': 'application/json' } };
}

test('a body with invalid UTF-8 is a 400 naming the first bad byte, not a prompt with U+FFFD in it', async (t) => {
  const { app, audits } = testApp();
  t.after(() => app.close());
  // 0xE9 is "é" in Latin-1: a client that sent Latin-1 bytes as JSON.
  const response = await app.inject(post(Buffer.concat([prefix, Buffer.from([0xe9]), suffix])));
  assert.equal(response.statusCode, 400);
  const { error } = response.json<{ error: { code: string; message: string; type: string } }>();
  assert.equal(error.code, 'invalid_json');
  assert.equal(error.type, 'invalid_request_error');
  assert.match(error.message, new RegExp(`not valid UTF-8 \\(first bad byte at offset ${prefix.length}\\)`));
  assert.equal(audits.length, 1);
  assert.equal(audits[0]?.status, 400);
});

test('valid UTF-8 (multi-byte text, emoji, an escaped U+FFFD) and a leading byte-order mark are parsed as before', async (t) => {
  const { app } = testApp();
  t.after(() => app.close());
  const texts = ['é 日本 🎉', '\\ufffd', '\uFFFD'];
  for (const text of texts) {
    const response = await app.inject(post(Buffer.concat([prefix, Buffer.from(text), suffix])));
    assert.equal(response.statusCode, 200, `${text}: ${response.body}`);
  }
  const withBom = await app.inject(post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), prefix, suffix])));
  assert.equal(withBom.statusCode, 200, withBom.body);
});

test('firstInvalidUtf8Offset finds the first bad sequence: stray continuation, overlong, surrogate, cut at the end', () => {
  const ok = Buffer.from('aé日🎉');
  assert.equal(firstInvalidUtf8Offset(ok), ok.length);
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0x80, 0x61])), 1);
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0xc0, 0xaf])), 1);
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2);
  assert.equal(firstInvalidUtf8Offset(Buffer.concat([Buffer.from('aé'), Buffer.from([0xe6, 0x97])])), 3);
  assert.equal(firstInvalidUtf8Offset(Buffer.from([0xf5, 0x80, 0x80, 0x80])), 0);
});
