/**
 * A replica started while Redis was unreachable subscribes to the change channel once Redis answers
 * (its first SUBSCRIBE failed, and ioredis only resubscribes channels it once subscribed): changes
 * reach it within the pub/sub delay, not only at the next slow poll. A TCP gate in front of the real
 * Redis plays the outage.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createRedisConfigStore } from '../../../runtime/admin/redis-config-store.js';
import { realClock } from '../../../runtime/clock.js';
import { requireService } from '../../helpers/services.js';
import { recordingLogger } from './admin-harness.js';

test('a store created while Redis is down hears changes once Redis is back (no poll needed)', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const target = new URL(url);
  let open = false;
  const sockets = new Set<Socket>();
  const gate = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!open) { client.destroy(); return; }
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  t.after(() => { for (const socket of sockets) socket.destroy(); gate.close(); });
  const address = gate.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const prefix = `aigw-test:{late-${randomUUID()}}:`;

  const store = await createRedisConfigStore({ url: `redis://127.0.0.1:${port}`, clock: realClock, logger: recordingLogger(), prefix, timeoutMs: 300, pollIntervalMs: 600_000 });
  t.after(() => store.close());
  let changes = 0;
  store.onChange(() => { changes += 1; });
  // Long enough for the first SUBSCRIBE to fail for good (one retry per request).
  await sleep(1_500);
  open = true;
  // Reconnected (retry backoff up to 2 s), and subscribed.
  await sleep(2_500);
  const before = changes;
  const publisher = new Redis(url);
  t.after(() => publisher.disconnect());
  await publisher.publish(`${prefix}changed`, 'v');
  for (let waited = 0; waited < 3_000 && changes === before; waited += 50) await sleep(50);
  assert.ok(changes > before, 'the change message reached the replica started during the outage');
});
