/**
 * The gateway reads request bodies as sent; it does not decompress them. A gzip body used to reach the
 * JSON parser as raw bytes and come back as "not valid UTF-8 (first bad byte at offset 1)", which sends
 * the client looking for an encoding bug in its JSON; it is a 400 that names the Content-Encoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { testApp } from './app-harness.js';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });

function post(payload: Buffer | string, contentEncoding?: string) {
  return {
    method: 'POST' as const, url: '/v1/chat/completions', payload,
    headers: { 'content-type': 'application/json', ...(contentEncoding === undefined ? {} : { 'content-encoding': contentEncoding }) },
  };
}

test('a compressed body is a 400 naming its Content-Encoding, never a JSON or UTF-8 complaint', async (t) => {
  const { app, audits } = testApp();
  t.after(() => app.close());
  for (const coding of ['gzip', 'br', 'deflate', 'GZIP', 'gzip, identity']) {
    const response = await app.inject(post(gzipSync(BODY), coding));
    assert.equal(response.statusCode, 400, coding);
    const { error } = response.json<{ error: { code: string; message: string; type: string; param: unknown } }>();
    assert.equal(error.code, 'invalid_request', coding);
    assert.equal(error.type, 'invalid_request_error');
    assert.equal(error.param, null);
    assert.match(error.message, /Content-Encoding '[^']+' is not supported/, coding);
  }
  assert.equal(audits.length, 5);
  assert.ok(audits.every((audit) => audit.status === 400));
});

test('no Content-Encoding, identity, or an empty one is read as before', async (t) => {
  const { app } = testApp();
  t.after(() => app.close());
  for (const coding of [undefined, 'identity', 'IDENTITY', '']) {
    const response = await app.inject(post(BODY, coding));
    assert.equal(response.statusCode, 200, `${String(coding)}: ${response.body}`);
  }
});
