/** The Redis limiter's failure path needs no Redis: a closed port is a store that is down from the start. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createRedisLimiter } from '../../../runtime/quota/redis-limiter.js';

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

test('a store that never connected applies "allow": admitted, uncounted, metric and one log line', async (t) => {
  const registry = new Registry();
  const logs: Readonly<Record<string, unknown>>[] = [];
  const limiter = createRedisLimiter({
    url: `redis://127.0.0.1:${await closedPort()}`, onStoreError: 'allow', timeoutMs: 50, metrics: registry,
    log: (_message, fields) => logs.push(fields),
  });
  t.after(() => limiter.close());
  const results = await Promise.all(Array.from({ length: 5 }, () => limiter.admit('key', { requestsPerMinute: 1 }, 10)));
  for (const result of results) {
    assert.ok(result.allowed);
    assert.equal(result.reservation.window, -1, 'marked uncounted, so settle leaves the store alone');
    await limiter.settle(result.reservation, 99);
  }
  const metric = await registry.getSingleMetric('aigw_quota_store_errors_total')?.get();
  assert.deepEqual(metric?.values.map((value) => [value.labels, value.value]), [[{ operation: 'admit', policy: 'allow' }, 5]]);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]?.['policy'], 'allow');
});

test('a store that never connected applies "deny": rejected with a short Retry-After', async (t) => {
  const limiter = createRedisLimiter({ url: `redis://127.0.0.1:${await closedPort()}`, onStoreError: 'deny', timeoutMs: 50 });
  t.after(() => limiter.close());
  assert.deepEqual(await limiter.admit('key', {}, 1), { allowed: false, exceeded: 'store', retryAfterMs: 1_000 });
});

test('two limiters may register their metric in one registry', async (t) => {
  const registry = new Registry();
  const url = `redis://127.0.0.1:${await closedPort()}`;
  const first = createRedisLimiter({ url, onStoreError: 'allow', metrics: registry, timeoutMs: 20 });
  const second = createRedisLimiter({ url, onStoreError: 'allow', metrics: registry, timeoutMs: 20 });
  t.after(async () => { await first.close(); await second.close(); });
  await first.admit('a', {}, 1);
  await second.admit('a', {}, 1);
  const metric = await registry.getSingleMetric('aigw_quota_store_errors_total')?.get();
  assert.equal(metric?.values[0]?.value, 2);
});

test('neither url nor client is a clear error', () => {
  assert.throws(() => createRedisLimiter({ onStoreError: 'allow' }), /needs `url` or `client`/);
});
