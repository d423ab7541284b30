/**
 * The undici transport's own handler (upstream-exchange.ts, issue 8): what a Node Readable used to do
 * for it — skip informational heads, hand out what arrived as one piece, pause a socket nobody reads —
 * and what it does better: an attempt aborted while still queued for a socket fails at once, and
 * leaves the pooled socket it would have used alive. The last three tests and the socket check pin
 * a review's findings.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { literalSecret } from '../../../runtime/secrets.js';
import { createUndiciTransport } from '../../../runtime/transport/undici-transport.js';

async function upstream(t: TestContext, answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; requests: () => number; sockets: () => number }> {
  let requests = 0;
  let sockets = 0;
  const server = createServer((request, response) => {
    requests += 1;
    request.resume();
    request.on('end', () => answer(request, response));
  });
  server.on('connection', () => { sockets += 1; });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests, sockets: () => sockets };
}

const request = (url: string) => ({
  method: 'POST' as const, url, headers: { 'content-type': 'application/json' }, body: '{}',
  auth: { kind: 'bearer' as const, secret: literalSecret('sk-test') }, stream: false as const,
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an informational head (103 Early Hints) is skipped: the answer is the final head and its body', async (t) => {
  const server = await upstream(t, (_request, response) => {
    response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
    response.writeHead(201, { 'content-type': 'application/json', 'x-final': 'yes' });
    response.end('{"ok":true}');
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  assert.equal(response.status, 201);
  assert.equal(response.headers['x-final'], 'yes');
  assert.equal(response.headers.link, undefined, 'the early hint is not part of the answer');
  assert.equal(await response.text?.(1_000), '{"ok":true}');
});

test('what arrived since the last read comes as one piece', async (t) => {
  const server = await upstream(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: one\n\n');
    setTimeout(() => response.write('data: two\n\n'), 10);
    setTimeout(() => response.end('data: [DONE]\n\n'), 20);
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  await pause(80);
  const pieces: string[] = [];
  for await (const chunk of response.body) pieces.push(Buffer.from(chunk).toString());
  assert.deepEqual(pieces, ['data: one\n\ndata: two\n\ndata: [DONE]\n\n']);
});

test('a body nobody reads pauses the socket, so the provider waits instead of filling the gateway\'s memory', async (t) => {
  const size = 64 * 1024 * 1024;
  let provider: ServerResponse | undefined;
  let written = 0;
  const server = await upstream(t, (_request, response) => {
    provider = response;
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    const piece = Buffer.alloc(1024 * 1024, 'x');
    const writeMore = (): void => {
      while (written < size) {
        written += piece.length;
        if (!response.write(piece)) return void response.once('drain', writeMore);
      }
      response.end();
    };
    writeMore();
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  await pause(300);
  assert.ok(written < size, `the provider is held back (${written} of ${size} bytes written)`);
  assert.equal(provider?.writableNeedDrain, true);
  let received = 0;
  for await (const chunk of response.body) received += chunk.byteLength;
  assert.equal(received, size, 'and everything arrives once the body is read');
});

test('an attempt aborted while it waits for a socket fails at once, is never sent, and leaves the pooled socket alive', async (t) => {
  const server = await upstream(t, (_request, response) => {
    // The first request holds the only socket for a while.
    setTimeout(() => response.end('{"first":true}'), 150);
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000, connectionsPerOrigin: 1 });
  t.after(() => transport.close());
  const first = transport.send(request(server.url), new AbortController().signal);
  await pause(20);
  const controller = new AbortController();
  const queued = transport.send(request(server.url), controller.signal);
  // Long enough for it to be signed and handed to undici, which queues it behind the first.
  await pause(20);
  const reason = new Error('budget spent');
  const abortedAt = Date.now();
  controller.abort(reason);
  await assert.rejects(queued, (error: unknown) => error === reason);
  assert.ok(Date.now() - abortedAt < 100, 'without waiting for the busy socket');
  assert.equal(await (await first).text?.(1_000), '{"first":true}');
  await pause(20);
  assert.equal(server.requests(), 1, 'the aborted attempt never reached the provider');
  const next = transport.send(request(server.url), new AbortController().signal);
  assert.equal(await (await next).text?.(1_000), '{"first":true}');
  assert.equal(server.sockets(), 1, 'one socket served the requests before and after it');
});

test('a body is read once: a second reader gets a clear error', async (t) => {
  const server = await upstream(t, (_request, response) => response.end('{}'));
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  assert.equal(await response.text?.(1_000), '{}');
  assert.throws(() => response.body[Symbol.asyncIterator](), /read once/);
});

test('text() without a limit reads a body larger than the pause threshold whole', async (t) => {
  const body = 'x'.repeat(200 * 1024);
  const server = await upstream(t, (_request, response) => response.end(body));
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  await pause(50);
  assert.equal((await response.text?.(Number.POSITIVE_INFINITY))?.length, body.length);
});

test('a second read while one is waiting is refused, and the first still gets its piece', async (t) => {
  let provider: ServerResponse | undefined;
  const server = await upstream(t, (_request, response) => {
    provider = response;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.flushHeaders();
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  const iterator = response.body[Symbol.asyncIterator]();
  const first = iterator.next();
  await assert.rejects(iterator.next(), /already waiting/);
  provider?.end('data: one\n\n');
  assert.equal(Buffer.from((await first).value as Uint8Array).toString(), 'data: one\n\n');
});

test('an abort after the body arrived but before it was read fails the read with the reason, and the socket stays pooled', async (t) => {
  const server = await upstream(t, (_request, response) => response.end('{"a":1}'));
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const controller = new AbortController();
  const response = await transport.send(request(server.url), controller.signal);
  await pause(30);
  const reason = new Error('the client left');
  controller.abort(reason);
  await assert.rejects(response.text?.(1_000) as Promise<unknown>, (error: unknown) => error === reason);
  assert.equal(await (await transport.send(request(server.url), new AbortController().signal)).text?.(1_000), '{"a":1}');
  assert.equal(server.sockets(), 1);
});
