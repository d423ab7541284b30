import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { NativeRequest } from '../../../runtime/adapters/contract.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { TransportError, type TransportResponse } from '../../../runtime/transport/transport.js';
import { createUndiciTransport } from '../../../runtime/transport/undici-transport.js';

interface TestServer { url: string; server: Server; sockets: Socket[]; closed: Promise<void>[] }

async function startServer(t: TestContext, handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TestServer> {
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  const server = createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    closed.push(once(socket, 'close').then(() => undefined));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets, closed };
}

function transportFor(t: TestContext, keepAliveMs = 10) {
  const transport = createUndiciTransport({ keepAliveTimeoutMs: keepAliveMs, keepAliveMaxTimeoutMs: keepAliveMs, connectTimeoutMs: 2000 });
  t.after(() => transport.close());
  return transport;
}

function nativeRequest(url: string, overrides: Partial<NativeRequest> = {}): NativeRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: '{"model":"m","text":"héllo"}',
    auth: { kind: 'bearer', secret: literalSecret('sk-test') },
    stream: false,
    ...overrides,
  };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

test('a request is sent with its headers, auth and exact body, and the answer comes back with flattened headers', async (t) => {
  let seen: { method?: string | undefined; url?: string | undefined; headers?: IncomingMessage['headers']; body?: string } = {};
  const upstream = await startServer(t, (request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      seen = { method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(parts).toString('utf8') };
      response.setHeader('x-multi', ['a', 'b']);
      response.writeHead(201, { 'Content-Type': 'application/json', 'X-Request-Id': 'req_9' });
      response.end('{"ok":true}');
    });
  });
  const transport = transportFor(t);
  const response = await transport.send(nativeRequest(`${upstream.url}/v1/chat/completions?x=1`), new AbortController().signal);
  assert.equal(response.status, 201);
  assert.equal(response.headers['x-request-id'], 'req_9');
  assert.equal(response.headers['x-multi'], 'a, b');
  assert.equal(await readAll(response.body), '{"ok":true}');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/v1/chat/completions?x=1');
  assert.equal(seen.headers?.['authorization'], 'Bearer sk-test');
  assert.equal(seen.headers?.['content-type'], 'application/json');
  assert.equal(seen.headers?.['content-length'], String(Buffer.byteLength('{"model":"m","text":"héllo"}')));
  assert.equal(seen.body, '{"model":"m","text":"héllo"}');
});

test('sequential requests to one origin reuse a kept-alive socket', async (t) => {
  const upstream = await startServer(t, (_request, response) => response.end('ok'));
  const transport = transportFor(t, 2000);
  for (let index = 0; index < 10; index += 1) {
    const response = await transport.send(nativeRequest(upstream.url), new AbortController().signal);
    assert.equal(await readAll(response.body), 'ok');
  }
  // undici may open a second socket while the first finishes its response; never one per request.
  assert.ok(upstream.sockets.length <= 2, `${upstream.sockets.length} sockets for 10 requests`);
});

test('aborting while the body streams rejects with the reason and the server sees the socket close', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: one\n\n');
    // never ends: only the client's abort can free this socket
  });
  const transport = transportFor(t);
  const controller = new AbortController();
  const response = await transport.send(nativeRequest(upstream.url), controller.signal);
  const iterator = response.body[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(Buffer.from(first.value as Uint8Array).toString(), 'data: one\n\n');
  const reason = new Error('latency budget spent');
  const pending = iterator.next();
  controller.abort(reason);
  await assert.rejects(pending, (error: unknown) => error === reason);
  await upstream.closed[0];
  assert.equal(upstream.sockets[0]?.destroyed, true);
});

test('a consumer that stops reading early releases the socket', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200);
    response.write('first');
  });
  const transport = transportFor(t);
  const response = await transport.send(nativeRequest(upstream.url), new AbortController().signal);
  for await (const chunk of response.body) {
    assert.equal(Buffer.from(chunk).toString(), 'first');
    break;
  }
  await upstream.closed[0];
});

test('aborting before the response head (a provider that never answers) rejects at once and closes the socket', async (t) => {
  const upstream = await startServer(t, () => { /* accept, never answer */ });
  const transport = transportFor(t);
  const controller = new AbortController();
  const sending = transport.send(nativeRequest(upstream.url), controller.signal);
  while (upstream.sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const reason = new Error('max_latency_ms');
  controller.abort(reason);
  await assert.rejects(sending, (error: unknown) => error === reason);
  await upstream.closed[0];
});

test('an already aborted signal sends nothing', async (t) => {
  const upstream = await startServer(t, (_request, response) => response.end());
  const transport = transportFor(t);
  const controller = new AbortController();
  controller.abort(new Error('gone'));
  await assert.rejects(transport.send(nativeRequest(upstream.url), controller.signal), /gone/);
  assert.equal(upstream.sockets.length, 0);
});

test('a refused connection is a connect failure before the response', async (t) => {
  const upstream = await startServer(t, () => undefined);
  const url = upstream.url;
  upstream.server.close();
  await once(upstream.server, 'close');
  const transport = transportFor(t);
  await assert.rejects(transport.send(nativeRequest(url), new AbortController().signal), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.failure, 'connect');
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.beforeResponse, true);
    return true;
  });
});

test('a socket reset before the response head is a reset failure, safe to retry', async (t) => {
  const upstream = await startServer(t, (request) => request.socket.destroy());
  const transport = transportFor(t);
  await assert.rejects(transport.send(nativeRequest(upstream.url), new AbortController().signal), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.failure, 'reset');
    assert.match(error.code, /^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
    assert.equal(error.beforeResponse, true);
    return true;
  });
});

test('a body cut mid-answer is a body failure after the response, iterated or read whole with text()', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200, { 'content-length': '100' });
    response.write('partial', () => setTimeout(() => response.socket?.destroy(), 10));
  });
  const transport = transportFor(t);
  const readers: ((response: TransportResponse) => Promise<unknown>)[] = [
    (response) => readAll(response.body),
    (response) => response.text?.(1_000) ?? Promise.resolve('no text()'),
  ];
  for (const read of readers) {
    const response = await transport.send(nativeRequest(upstream.url), new AbortController().signal);
    await assert.rejects(read(response), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.failure, 'body');
      assert.equal(error.beforeResponse, false);
      return true;
    });
  }
});

test('a credential without a value fails as auth, naming the variable, and sends nothing', async (t) => {
  const upstream = await startServer(t, (_request, response) => response.end());
  const transport = transportFor(t);
  const request = nativeRequest(upstream.url, { auth: { kind: 'header', name: 'x-api-key', secret: envSecret('ANTHROPIC_API_KEY', undefined) } });
  await assert.rejects(transport.send(request, new AbortController().signal), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.failure, 'auth');
    assert.equal(error.beforeResponse, true);
    assert.match(error.message, /\$\{ANTHROPIC_API_KEY\}.*environment variable ANTHROPIC_API_KEY is unset or empty/);
    return true;
  });
  assert.equal(upstream.sockets.length, 0);
});

test('text() reads a body sent in several chunks whole, and the socket is kept for the next request', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"text":"h');
    setTimeout(() => response.end('éllo"}'), 10);
  });
  const transport = transportFor(t, 2_000);
  for (let index = 0; index < 10; index += 1) {
    const response = await transport.send(nativeRequest(upstream.url), new AbortController().signal);
    assert.equal(await response.text?.(1_000), '{"text":"héllo"}');
  }
  // As with iterated bodies: undici may open a second socket while the first finishes; never one per request.
  assert.ok(upstream.sockets.length <= 2, `${upstream.sockets.length} sockets for 10 requests`);
});

test('text() past its byte limit gives undefined and releases the socket', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200);
    response.write('x'.repeat(64));
    // never ends: only the release can free this socket
  });
  const transport = transportFor(t);
  const response = await transport.send(nativeRequest(upstream.url), new AbortController().signal);
  assert.equal(await response.text?.(10), undefined);
  await upstream.closed[0];
});

test('text() rejects with the abort reason when aborted mid-body, and the socket closes', async (t) => {
  const upstream = await startServer(t, (_request, response) => {
    response.writeHead(200);
    response.write('partial');
  });
  const transport = transportFor(t);
  const controller = new AbortController();
  const response = await transport.send(nativeRequest(upstream.url), controller.signal);
  const pending = response.text?.(1_000);
  const reason = new Error('latency budget spent');
  setTimeout(() => controller.abort(reason), 20);
  await assert.rejects(pending as Promise<unknown>, (error: unknown) => error === reason);
  await upstream.closed[0];
  await assert.rejects(response.text?.(1_000) as Promise<unknown>, (error: unknown) => error === reason, 'a read after the abort fails at once');
});
