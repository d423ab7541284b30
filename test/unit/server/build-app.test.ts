import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { fakeEngine, liveConfig, MANIFEST, testApp } from './app-harness.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };

test('every response carries x-request-id: a safe client value is honoured, others are replaced', async (t) => {
  const { app } = testApp();
  t.after(() => app.close());
  const honoured = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: chat, headers: { 'x-request-id': 'abc-123:x.y_z' } });
  assert.equal(honoured.headers['x-request-id'], 'abc-123:x.y_z');
  for (const sent of ['has space', 'a'.repeat(129), 'ünï']) {
    const replaced = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': sent } });
    assert.match(String(replaced.headers['x-request-id']), /^req_[0-9a-f]{32}$/);
  }
  const notFound = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(notFound.statusCode, 404);
  assert.match(String(notFound.headers['x-request-id']), /^req_/);
  assert.deepEqual(notFound.json(), { error: { message: 'Invalid URL (GET /nope).', type: 'invalid_request_error', param: null, code: 'unknown_url' } });
});

test('a non-stream answer carries x-aigw-route and x-aigw-provider', async (t) => {
  const { app } = testApp();
  t.after(() => app.close());
  const response = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: chat });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['x-aigw-route'], 'chat');
  assert.equal(response.headers['x-aigw-provider'], 'openai');
});

test('while draining: /readyz is 503 "draining", /healthz stays 200, and chat gets a 503 shutting_down envelope with Connection: close', async (t) => {
  const { app, audits } = testApp({ draining: true });
  t.after(() => app.close());
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.deepEqual(ready.json<{ problems: string[] }>().problems, ['draining']);
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  const refused = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: chat });
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.headers.connection, 'close');
  assert.equal(refused.json<{ error: { code: string } }>().error.code, 'shutting_down');
  assert.equal(audits.length, 1, 'the refused request is audited');
  assert.equal(audits[0]?.status, 503);
});

test('while draining, a browser app allowed by AIGW_CORS_ORIGINS can read the 503', async (t) => {
  const { app } = testApp({ draining: true, corsOrigins: 'https://app.example.com' });
  t.after(() => app.close());
  const refused = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: chat, headers: { origin: 'https://app.example.com' } });
  assert.equal(refused.statusCode, 503);
  assert.equal(refused.headers['access-control-allow-origin'], 'https://app.example.com');
});

test('/readyz is 200 when not draining', async (t) => {
  const { app } = testApp();
  t.after(() => app.close());
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.equal(ready.json<{ status: string }>().status, 'ready');
});

test('body-parsing failures (malformed JSON, wrong media type, too large, empty) are OpenAI envelopes, audited once', async (t) => {
  const { app, audits } = testApp({ bodyLimit: 200 });
  t.after(() => app.close());
  const cases: [InjectOptions, number, string][] = [
    [{ method: 'POST', url: '/v1/chat/completions', payload: '{"model":', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    [{ method: 'POST', url: '/v1/chat/completions', payload: '', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    [{ method: 'POST', url: '/v1/chat/completions', payload: 'hello', headers: { 'content-type': 'text/plain' } }, 400, 'invalid_request'],
    [{ method: 'POST', url: '/v1/chat/completions', payload: JSON.stringify({ ...chat, pad: 'x'.repeat(500) }), headers: { 'content-type': 'application/json' } }, 413, 'request_too_large'],
    [{ method: 'POST', url: '/v1/chat/completions', payload: '[1,2]', headers: { 'content-type': 'application/json' } }, 400, 'invalid_request'],
  ];
  for (const [request, status, code] of cases) {
    const response = await app.inject(request);
    assert.equal(response.statusCode, status, `${JSON.stringify(request.payload)} → ${response.body}`);
    const body = response.json<{ error: Record<string, unknown> }>();
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(body.error['code'], code);
  }
  assert.equal(audits.length, cases.length);
});

test('the debug line of a request logs its path, never its query string (a misconfigured client may put a key there)', async (t) => {
  let logged = '';
  const { app } = testApp({ logger: { level: 'debug', stream: { write: (line: string) => { logged += line; } } } });
  t.after(() => app.close());
  await app.inject({ method: 'GET', url: '/v1/models?key=QSECRET-1234567890' });
  assert.match(logged, /"path":"\/v1\/models"/);
  assert.doesNotMatch(logged, /QSECRET/);
});

test('only the chat path itself is a chat request: /v1/chat/completionsX is a 404 without authentication or an audit record', async (t) => {
  const { app, audits } = testApp({ manifest: `credentials:\n  - { id: a, key_sha256: "${'a'.repeat(64)}" }\n${MANIFEST}` });
  t.after(() => app.close());
  const response = await app.inject({ method: 'POST', url: '/v1/chat/completionsX', payload: {} });
  assert.equal(response.statusCode, 404);
  assert.equal(audits.length, 0);
  const withQuery = await app.inject({ method: 'POST', url: '/v1/chat/completions?x=1', payload: {} });
  assert.equal(withQuery.statusCode, 401, 'the chat path with a query string is still the chat route');
});

test('GET, HEAD and OPTIONS on the chat path are a 404 unknown_url (as the README says), not a 401, and are not audited', async (t) => {
  const { app, audits } = testApp({ manifest: `credentials:\n  - { id: a, key_sha256: "${'a'.repeat(64)}" }\n${MANIFEST}` });
  t.after(() => app.close());
  for (const method of ['GET', 'HEAD', 'OPTIONS'] as const) {
    const response = await app.inject({ method, url: '/v1/chat/completions' });
    assert.equal(response.statusCode, 404, method);
    if (method !== 'HEAD') assert.equal((response.json() as { error: { code: string } }).error.code, 'unknown_url', method);
  }
  assert.equal(audits.length, 0);
});

test('the chat route stays the only POST route: another one is refused when it is added, since every routed POST is taken for chat', async () => {
  const { app } = testApp();
  await assert.rejects(async () => {
    app.post('/v1/embeddings', async () => 'x');
    await app.ready();
  }, /POST \/v1\/embeddings: isChatRequest takes every routed POST/);
});

test('a reload while the body uploads changes nothing for the request: it runs on the config its headers arrived under', async (t) => {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const withKey = `credentials:\n  - { id: alpha, key_sha256: "${sha256('sk-alpha')}" }\n${MANIFEST}`;
  const { app, audits, config } = testApp({ manifest: withKey });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-alpha\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The new config has neither the credential nor the route.
  config.swap({ ...liveConfig(`credentials:\n  - { id: beta, key_sha256: "${sha256('sk-beta')}" }\nai_routes:\n  - { name: other, match: { model: other }, targets: [ { provider: openai, model: gpt-4o } ] }\n`), version: 'v2' });
  socket.write(body);
  const started = Date.now();
  while (!/\r\n\r\n[\s\S]*\}$/.test(answer) && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.match(answer, /^HTTP\/1\.1 200 /, answer);
  assert.equal(audits.at(-1)?.manifestVersion, 'v1');
  assert.equal(audits.at(-1)?.credentialId, 'alpha');
});

test('an unexpected error after a stream began ends it in-band (error event, [DONE]): the client is not left waiting', async (t) => {
  const engine = fakeEngine(async (input) => {
    await input.sink?.start({ route: input.route.name, provider: 'openai', model: 'gpt-4o-mini' } as never);
    await input.sink?.write({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, logprobs: null, finish_reason: null }] });
    throw new Error('a defect after the first chunk');
  });
  const { app } = testApp({ engine });
  t.after(() => app.close());
  const response = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Hi' }] } });
  assert.equal(response.statusCode, 200);
  assert.match(response.body, /"content":"Hi"/);
  assert.match(response.body, /"code":"internal_error"/);
  assert.match(response.body, /data: \[DONE\]\n\n$/);
});

test('a body that stops arriving gets its 408 within a few seconds of the request timeout, not Node\'s 30 s check later', async (t) => {
  const { app } = testApp({ requestTimeoutMs: 300 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  const started = Date.now();
  socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"mod');
  const closed = await new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true));
    setTimeout(() => resolve(false), 10_000);
  });
  assert.equal(closed, true);
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(Date.now() - started < 5_000, `the 408 came after ${Date.now() - started} ms`);
});
