/**
 * The admin client's budget covers the whole exchange, and its answer is bounded (review finding 1):
 * a gateway that sends its headers and then trickles or streams an endless body must end the command
 * with exit 2 within the timeout, not hold it (or fill its memory) forever. Fake gateways on
 * 127.0.0.1:0; the garbage collector runs all the time, because on Node 20 a collected
 * AbortSignal.timeout inside AbortSignal.any never fires (nodejs/node#57736).
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MAX_ADMIN_RESPONSE_BYTES } from '../../cli/admin-client.js';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { hmacKey, writeKeyFile } from '../unit/admin/admin-harness.js';

setFlagsFromString('--expose-gc');
// A fresh context sees the flag: its global `gc` collects the whole heap.
const collectGarbage = runInNewContext('gc') as () => void;

/** The test fails, instead of hanging, when the command outlives this. */
const DEADLINE_MS = 5_000;

/** A fake admin port: answers 200 with headers at once, then `send` writes the body until the client leaves. */
async function fakeGateway(t: TestContext, send: (response: ServerResponse) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"replicaId":"');
    send(response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Repeats `write` every `everyMs` until the response closes. */
function every(response: ServerResponse, everyMs: number, write: () => void): void {
  const timer = setInterval(write, everyMs);
  response.on('close', () => clearInterval(timer));
}

async function statusWithin(t: TestContext, gateway: string, env: Record<string, string>, options: { collectGarbage: boolean }) {
  const key = hmacKey();
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo({ env });
  const collector = options.collectGarbage ? setInterval(collectGarbage, 20) : undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(['status', '--gateway', gateway, ...flags], io),
      new Promise<'hung'>((resolve) => { deadline = setTimeout(() => resolve('hung'), DEADLINE_MS); }),
    ]);
    return { code, io };
  } finally {
    clearInterval(collector);
    clearTimeout(deadline);
  }
}

test('a gateway that trickles its body one byte at a time is cut off at the timeout: exit 2, "no answer within"', async (t) => {
  const gateway = await fakeGateway(t, (response) => every(response, 25, () => response.write('x')));
  const { code, io } = await statusWithin(t, gateway, { AIGW_ADMIN_TIMEOUT_MS: '400' }, { collectGarbage: true });
  assert.notEqual(code, 'hung', 'status kept reading a trickling body past its 400 ms timeout');
  assert.equal(code, ExitCode.Usage);
  assert.match(io.err(), new RegExp(`${gateway}: gateway ${gateway} is unreachable: no answer within 400 ms`));
});

test('a gateway that streams an endless body is refused past the size limit: exit 2, a clear message, bounded memory', async (t) => {
  const chunk = 'x'.repeat(256 * 1024);
  // 256 KiB every 5 ms: the limit is reached in well under a second; the 30 s timeout is never the cause.
  const gateway = await fakeGateway(t, (response) => every(response, 5, () => response.write(chunk)));
  const { code, io } = await statusWithin(t, gateway, { AIGW_ADMIN_TIMEOUT_MS: '30000' }, { collectGarbage: false });
  assert.notEqual(code, 'hung', 'status kept reading an endless body');
  assert.equal(code, ExitCode.Usage);
  assert.match(io.err(), new RegExp(`gateway ${gateway} sent an answer larger than ${MAX_ADMIN_RESPONSE_BYTES} bytes; is this an aigw admin port\\?`));
  assert.match(io.out(), /unreachable/);
});
