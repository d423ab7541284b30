/**
 * Leaving a body early (issue 8): when the whole body has already arrived (a stream read up to the
 * provider's terminator), the socket goes back to the pool with no abort; when more may come, the
 * socket is closed as before (undici-transport.test.ts pins that side too).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { literalSecret } from '../../../runtime/secrets.js';
import { createUndiciTransport } from '../../../runtime/transport/undici-transport.js';

async function upstream(t: TestContext, answer: (response: ServerResponse) => void): Promise<{ url: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(response));
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

const request = (url: string) => ({
  method: 'POST' as const, url, headers: { 'content-type': 'application/json' }, body: '{}',
  auth: { kind: 'bearer' as const, secret: literalSecret('sk-test') }, stream: { framing: 'sse' as const },
});

test('a body left at its last event after it fully arrived keeps the socket for the next request', async (t) => {
  const server = await upstream(t, (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end('data: one\n\ndata: [DONE]\n\n');
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  for (let index = 0; index < 3; index += 1) {
    const response = await transport.send(request(server.url), new AbortController().signal);
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.match(Buffer.from(first.value as Uint8Array).toString(), /\[DONE\]/);
    // Give the end of the body time to arrive, then stop reading, as the engine does at the terminator.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await iterator.return?.();
  }
  assert.equal(server.sockets.length, 1, 'one socket for three requests');
  assert.equal(server.sockets[0]?.destroyed, false);
});

test('a body left while more may come still closes its socket', async (t) => {
  const server = await upstream(t, (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: one\n\n');
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  const iterator = response.body[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.return?.();
  const socket = server.sockets[0];
  assert.ok(socket !== undefined);
  if (!socket.destroyed) await once(socket, 'close');
});

test('a slow body comes chunk by chunk as it arrives, and the next read waits for the next chunk', async (t) => {
  let respond: ServerResponse | undefined;
  const server = await upstream(t, (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: one\n\n');
    respond = response;
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  const iterator = response.body[Symbol.asyncIterator]();
  assert.equal(Buffer.from((await iterator.next()).value as Uint8Array).toString(), 'data: one\n\n');
  const waiting = iterator.next();
  let settled = false;
  void waiting.then(() => { settled = true; });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(settled, false, 'nothing more has arrived yet');
  respond?.end('data: two\n\n');
  assert.equal(Buffer.from((await waiting).value as Uint8Array).toString(), 'data: two\n\n');
  assert.deepEqual(await iterator.next(), { value: undefined, done: true });
  assert.deepEqual(await iterator.next(), { value: undefined, done: true }, 'and stays done');
});

test('a body larger than the stream buffer, read slowly, still arrives whole', async (t) => {
  const size = 1024 * 1024;
  const payload = Buffer.alloc(size, 'x');
  const server = await upstream(t, (response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) });
    response.end(payload);
  });
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 5_000 });
  t.after(() => transport.close());
  const response = await transport.send(request(server.url), new AbortController().signal);
  // Read nothing until all of it could have arrived: the buffer fills past its limit and reading pauses.
  await new Promise((resolve) => setTimeout(resolve, 50));
  let received = 0;
  for await (const chunk of response.body) {
    received += chunk.byteLength;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(received, size);
});
