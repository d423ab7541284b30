/**
 * Node's HTTP server answers a few requests itself, before Fastify sees them: an HTTP/1.1 request
 * without Host got a 400 with an empty body, an Expect other than 100-continue a 417 with an empty
 * body, and CONNECT a closed socket without an answer. Every answer is OpenAI's envelope with an
 * x-request-id (design §5), so these are too.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test } from 'node:test';
import { testApp } from './app-harness.js';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });

/** Sends raw bytes and reads until the gateway closes the connection. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => { received += data; });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(received)}`)));
    socket.write(raw);
  });
}

interface Answer { readonly status: number; readonly headers: string; readonly body: string }

function parse(raw: string): Answer {
  const headEnd = raw.indexOf('\r\n\r\n');
  assert.ok(headEnd > 0, `an HTTP answer: ${JSON.stringify(raw)}`);
  const head = raw.slice(0, headEnd);
  let body = raw.slice(headEnd + 4);
  // Fastify sends a content-length; a chunked body (Node's own answers) is unwrapped for the assertion.
  if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$|0\r\n\r\n$/, '');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body };
}

function assertEnvelope(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.headers);
  assert.match(answer.headers, /\r\nx-request-id: req_[0-9a-f]+/i);
  const parsed = JSON.parse(answer.body) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(parsed.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(parsed.error['code'], code);
}

async function listening(t: { after: (fn: () => Promise<void>) => void }) {
  const { app, audits } = testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  return { port: (app.server.address() as AddressInfo).port, audits };
}

test('an HTTP/1.1 request without Host is a 400 invalid_http in the envelope, and the connection closes', async (t) => {
  const { port, audits } = await listening(t);
  const raw = await exchange(port, `POST /v1/chat/completions HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`);
  const answer = parse(raw);
  assertEnvelope(answer, 400, 'invalid_http');
  assert.match(answer.headers, /\r\nconnection: close/i);
  assert.match(answer.body, /Host/);
  assert.equal(audits.at(-1)?.status, 400);
});

test('an HTTP/1.0 request needs no Host and is answered as usual', async (t) => {
  const { port } = await listening(t);
  const answer = parse(await exchange(port, `POST /v1/chat/completions HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`));
  assert.equal(answer.status, 200, answer.body);
});

test('an Expect other than 100-continue is ignored (RFC 9110 §10.1.1 allows it), not a bodiless 417', async (t) => {
  const { port } = await listening(t);
  const answer = parse(await exchange(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nexpect: something-else\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`));
  assert.equal(answer.status, 200, answer.body);
  assert.match(answer.headers, /\r\nx-request-id: req_/i);
});

test('CONNECT is answered 404 unknown_url in the envelope instead of a closed socket', async (t) => {
  const { port } = await listening(t);
  const answer = parse(await exchange(port, 'CONNECT api.openai.com:443 HTTP/1.1\r\nhost: api.openai.com:443\r\n\r\n'));
  assertEnvelope(answer, 404, 'unknown_url');
  assert.match(answer.body, /CONNECT api\.openai\.com:443/);
});
