/**
 * Answers sent before the request body was read (413 on the announced length, 401 before the body,
 * 404 for an unknown path): the rest of the body is read and thrown away, up to a bound, so a client
 * still uploading gets the answer instead of a broken pipe (which the OpenAI SDK retries, uploading
 * the body again); past the bound the connection closes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { discardUnreadBody } from '../../../runtime/server/discard-unread-body.js';
import { testApp } from './app-harness.js';

interface Upload { readonly answer: string; readonly writeError?: string; readonly socket: Socket; received(): string }

/**
 * Sends headers, then `bodyBytes` in one write (as an SDK does) or in 16 KiB pieces a few ms apart
 * (a client still uploading long after the answer came).
 */
async function upload(port: number, head: string, bodyBytes: number, pace: 'burst' | 'slow' = 'burst'): Promise<Upload> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  let writeError: string | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  socket.on('error', (error) => { writeError ??= error.message; });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(head);
  const piece = Buffer.alloc(pace === 'burst' ? bodyBytes : 16 * 1024, 'x');
  for (let sent = 0; sent < bodyBytes && writeError === undefined && !socket.destroyed; sent += piece.length) {
    await new Promise<void>((resolve) => socket.write(piece.subarray(0, Math.min(piece.length, bodyBytes - sent)), (error) => { if (error) writeError ??= error.message; resolve(); }));
    if (pace === 'slow') await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const started = Date.now();
  while (!/\r\n\r\n[\s\S]*\}$/.test(answer) && writeError === undefined && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
  return { answer, socket, received: () => answer, ...(writeError === undefined ? {} : { writeError }) };
}

/** The same connection answers a next request (the discarded body did not break the framing). */
async function assertServesNext(upload: Upload): Promise<void> {
  const before = upload.received().length;
  upload.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
  const started = Date.now();
  while (!/HTTP\/1\.1 200 /.test(upload.received().slice(before)) && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.match(upload.received().slice(before), /^HTTP\/1\.1 200 /);
}

const chatHead = (length: number, extra = ''): string => `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;

async function listening(t: TestContext, options: Parameters<typeof testApp>[0] = {}): Promise<number> {
  const { app } = testApp({ bodyLimit: 1024, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  return (app.server.address() as AddressInfo).port;
}

async function assertAnsweredWhileUploading(t: TestContext, port: number, head: string, bodyBytes: number, status: RegExp, code: RegExp): Promise<void> {
  for (const pace of ['burst', 'slow'] as const) {
    const sent = await upload(port, head, bodyBytes, pace);
    t.after(() => sent.socket.destroy());
    assert.equal(sent.writeError, undefined, `${pace}: the upload broke`);
    assert.match(sent.answer, status, pace);
    assert.match(sent.answer, code, pace);
    assert.doesNotMatch(sent.answer, /connection: close/i, pace);
    await assertServesNext(sent);
  }
}

test('a 413 on the announced length: the client uploads the rest without a broken pipe, reads the 413, and the connection stays usable', async (t) => {
  const port = await listening(t);
  await assertAnsweredWhileUploading(t, port, chatHead(5 * 1024 * 1024), 5 * 1024 * 1024, /^HTTP\/1\.1 413 /, /"code":"request_too_large"/);
});

test('a chunked body that crosses the limit part-way: the 413, then the rest is read past and the connection stays usable', async (t) => {
  const port = await listening(t);
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  let failed: string | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  socket.on('error', (error) => { failed = error.message; });
  socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
  const chunk = `${(4096).toString(16)}\r\n${'x'.repeat(4096)}\r\n`;
  for (let index = 0; index < 64; index += 1) socket.write(chunk);
  socket.write('0\r\n\r\n');
  const started = Date.now();
  while (!/\}$/.test(answer) && Date.now() - started < 3_000) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.match(answer, /^HTTP\/1\.1 413 /);
  await assertServesNext({ answer, socket, received: () => answer });
  assert.equal(failed, undefined);
});

test('a 401 before the body and a 404 for an unknown path: the rest of the body is read past, not cut off', async (t) => {
  const key = createHash('sha256').update('sk-right').digest('hex');
  const port = await listening(t, { manifest: `credentials:\n  - { id: app, key_sha256: "${key}" }\nai_routes:\n  - { name: r, match: { model: gpt-4o-mini }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`, bodyLimit: 8 * 1024 * 1024 });
  const bytes = 3 * 1024 * 1024;
  await assertAnsweredWhileUploading(t, port, chatHead(bytes, 'authorization: Bearer sk-wrong\r\n'), bytes, /^HTTP\/1\.1 401 /, /"code":"invalid_api_key"/);
  await assertAnsweredWhileUploading(t, port, `POST /v1/embeddings HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${bytes}\r\n\r\n`, bytes, /^HTTP\/1\.1 404 /, /"code":"unknown_url"/);
});

test('past its bounds the discard stops: more bytes than allowed, or a body still trickling in after the time allowed, close the connection', async (t) => {
  const bounds = { maxBytes: 1024 * 1024, maxMs: 400 };
  const server = createServer((request, response) => {
    discardUnreadBody(request, response, bounds);
    response.writeHead(413, { 'content-length': '2' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const head = (length: number): string => `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${length}\r\n\r\n`;
  // Within both bounds: read past.
  const small = await upload(port, head(512 * 1024), 512 * 1024, 'slow');
  t.after(() => small.socket.destroy());
  assert.equal(small.writeError, undefined);
  // Over the byte bound (slowly, so the check sees it before the body ends).
  const large = await upload(port, head(4 * 1024 * 1024), 4 * 1024 * 1024, 'slow');
  t.after(() => large.socket.destroy());
  assert.match(large.answer, /^HTTP\/1\.1 413 /);
  assert.notEqual(large.writeError ?? (large.socket.destroyed || large.socket.readableEnded ? 'closed' : undefined), undefined, 'the connection closed');
  // Past the time bound: a few bytes, then nothing.
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  socket.write(head(1000) + 'x'.repeat(10));
  // Reading, so that the end of the connection is seen.
  socket.resume();
  const closed = await new Promise<boolean>((resolve) => {
    socket.on('close', () => resolve(true));
    socket.on('error', () => undefined);
    setTimeout(() => resolve(false), 3_000);
  });
  assert.equal(closed, true, 'a stalled body is not waited for past maxMs');
});

test('many early answers on one kept-alive connection leave no listener behind on its socket', async (t) => {
  const { app } = testApp();
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const { port } = app.server.address() as AddressInfo;
  let serverSocket: Socket | undefined;
  app.server.once('connection', (socket: Socket) => { serverSocket = socket; });
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  await new Promise((resolve) => socket.once('connect', resolve));
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => { warnings.push(warning.name); };
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  for (let index = 0; index < 30; index += 1) {
    // The head first, the body after the 404 went out: the body is read past each time.
    socket.write('POST /v1/nope HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\n');
    const seen = (answer.match(/HTTP\/1\.1 404 /g) ?? []).length;
    for (let waited = 0; (answer.match(/HTTP\/1\.1 404 /g) ?? []).length === seen && waited < 3_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.write('{"a":');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal((answer.match(/HTTP\/1\.1 404 /g) ?? []).length, 30);
  assert.ok(serverSocket !== undefined);
  assert.ok(serverSocket.listenerCount('close') <= 3, `${serverSocket.listenerCount('close')} close listeners`);
  assert.deepEqual(warnings.filter((name) => name === 'MaxListenersExceededWarning'), []);
});
