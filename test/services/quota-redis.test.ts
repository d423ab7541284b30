/**
 * Quotas on a real Redis (scripts/services.sh): one budget across limiter instances, atomic under
 * concurrency, one round trip per call, and the store-error policy when Redis dies or hangs (on a
 * private redis-server child, so the shared one keeps serving other tests).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { QuotaLimiter } from '../../runtime/quota/limiter.js';
import { createRedisLimiter, type RedisLimiterOptions } from '../../runtime/quota/redis-limiter.js';
import { QUOTA_SCRIPT } from '../../runtime/quota/redis-script.js';
import { requireService } from '../helpers/services.js';

/** A policy decision must come back within the command timeout plus scheduling slack: never a hang. */
const HANG_GUARD_MS = 2_000;

function limiterFor(t: TestContext, options: RedisLimiterOptions): QuotaLimiter {
  const limiter = createRedisLimiter(options);
  t.after(() => limiter.close());
  return limiter;
}

function clientFor(t: TestContext, url: string): Redis {
  const client = new Redis(url);
  t.after(() => client.quit());
  return client;
}

async function withinGuard<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} hung for ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS); });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

test('two limiter instances sharing one Redis enforce one request budget under concurrency', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const first = limiterFor(t, { url, onStoreError: 'deny' });
  const second = limiterFor(t, { url, onStoreError: 'deny' });
  const key = `test-${randomUUID()}`;
  const limits = { requestsPerMinute: 50, tokensPerMinute: 1_000_000 };
  const results = await Promise.all(Array.from({ length: 120 }, (_, index) => (index % 2 === 0 ? first : second).admit(key, limits, 10)));
  assert.equal(results.filter((result) => result.allowed).length, 50);
  const rejected = results.find((result) => !result.allowed);
  assert.ok(rejected !== undefined && !rejected.allowed);
  assert.equal(rejected.exceeded, 'requests');
  assert.ok(rejected.retryAfterMs > 0 && rejected.retryAfterMs <= 120_000, `retryAfterMs ${rejected.retryAfterMs}`);
});

test('a token budget is shared, and settle up/down on one instance is seen by the other', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const first = limiterFor(t, { url, onStoreError: 'deny' });
  const second = limiterFor(t, { url, onStoreError: 'deny' });
  const key = `test-${randomUUID()}`;
  const limits = { tokensPerMinute: 1_000 };
  const big = await first.admit(key, limits, 800);
  assert.ok(big.allowed);
  const refused = await second.admit(key, limits, 300);
  assert.equal(!refused.allowed && refused.exceeded, 'tokens');
  await first.settle(big.reservation, 200);
  const fits = await second.admit(key, limits, 300);
  assert.ok(fits.allowed);
  await second.settle(fits.reservation, 790);
  // 200 + 790 = 990 counted: 10 left.
  assert.equal((await first.admit(key, limits, 11)).allowed, false);
  assert.equal((await first.admit(key, limits, 10)).allowed, true);
});

test('concurrent token reservations from two instances never exceed the budget', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const instances = [limiterFor(t, { url, onStoreError: 'deny' }), limiterFor(t, { url, onStoreError: 'deny' })];
  const key = `test-${randomUUID()}`;
  const results = await Promise.all(Array.from({ length: 100 }, (_, index) => instances[index % 2]!.admit(key, { tokensPerMinute: 10_000 }, 300)));
  assert.equal(results.filter((result) => result.allowed).length, 33);
});

test('each admit and settle is one script call (EVALSHA), with one EVAL when Redis lacks the script', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const client = clientFor(t, url);
  const calls: string[] = [];
  for (const name of ['evalsha', 'eval'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => { calls.push(name); return original(...args); };
  }
  const limiter = limiterFor(t, { client, onStoreError: 'deny' });
  await client.script('FLUSH');
  const key = `test-${randomUUID()}`;
  const admission = await limiter.admit(key, { tokensPerMinute: 1_000 }, 100);
  assert.deepEqual(calls, ['evalsha', 'eval']);
  calls.length = 0;
  assert.ok(admission.allowed);
  await limiter.admit(key, { tokensPerMinute: 1_000 }, 100);
  await limiter.settle(admission.reservation, 50);
  assert.deepEqual(calls, ['evalsha', 'evalsha']);
  const ttl = await client.pttl(`aigw:quota:{${key}}`);
  assert.ok(ttl > 0 && ttl <= 120_000, `quota keys expire (pttl ${ttl})`);
});

test('after retryAfterMs the next request fits (short window)', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const limiter = limiterFor(t, { url, onStoreError: 'deny', windowMs: 1_000 });
  const key = `test-${randomUUID()}`;
  let rejection;
  for (let index = 0; index < 10 && rejection === undefined; index += 1) {
    const admission = await limiter.admit(key, { requestsPerMinute: 3 }, 0);
    if (!admission.allowed) rejection = admission;
  }
  assert.ok(rejection !== undefined && !rejection.allowed);
  assert.ok(rejection.retryAfterMs <= 2_000);
  await sleep(rejection.retryAfterMs + 20);
  assert.equal((await limiter.admit(key, { requestsPerMinute: 3 }, 0)).allowed, true);
});

// ------------------------------------------------------------------ a quota key lost between admit and settle

/** Ways a window's key disappears while reservations made in it are still in flight. */
const KEY_LOSSES = [
  { name: 'an operator deletes the key', private: false, lose: (client: Redis, key: string) => client.del(`aigw:quota:{${key}}`) },
  // FLUSHALL only on a private Redis: the shared one serves other test files meanwhile.
  { name: 'Redis is flushed (FLUSHALL)', private: true, lose: (client: Redis) => client.flushall() },
] as const;

async function redisFor(t: TestContext, loss: (typeof KEY_LOSSES)[number]): Promise<string | undefined> {
  const url = requireService(t, 'redis');
  if (url === undefined || !loss.private) return url;
  const port = await freePort();
  await startPrivateRedis(t, port);
  return `redis://127.0.0.1:${port}`;
}

/** Loses the key through its own connection, closed leniently: a private server may be gone by then. */
async function loseKey(t: TestContext, loss: (typeof KEY_LOSSES)[number], url: string, key: string): Promise<void> {
  const client = new Redis(url);
  t.after(() => client.quit().catch(() => client.disconnect()));
  await loss.lose(client, key);
}

for (const loss of KEY_LOSSES) {
  test(`${loss.name}: settling an older reservation with less usage does not erase what was counted since`, async (t) => {
    const url = await redisFor(t, loss);
    if (url === undefined) return;
    const registry = new Registry();
    const logs: Readonly<Record<string, unknown>>[] = [];
    const limiter = limiterFor(t, { url, onStoreError: 'deny', metrics: registry, log: (_message, fields) => logs.push(fields) });
    const other = limiterFor(t, { url, onStoreError: 'deny' });
    const key = `test-${randomUUID()}`;
    const limits = { tokensPerMinute: 1_000 };
    const old = await limiter.admit(key, limits, 800);
    assert.ok(old.allowed);
    await loseKey(t, loss, url, key);
    assert.ok((await other.admit(key, limits, 900)).allowed, 'the lost key no longer holds the 800');
    await limiter.settle(old.reservation, 0);
    // 900 counted since the loss: 100 left (900 − 800 would have left 900).
    assert.equal((await other.admit(key, limits, 200)).allowed, false);
    const metric = await registry.getSingleMetric('aigw_quota_store_errors_total')?.get();
    assert.deepEqual(metric?.values.map((value) => [value.labels, value.value]), [[{ operation: 'settle', policy: 'deny' }, 1]]);
    assert.equal(logs[0]?.['operation'], 'settle');
  });

  test(`${loss.name}: settling an older reservation with more usage does not charge the window counted since`, async (t) => {
    const url = await redisFor(t, loss);
    if (url === undefined) return;
    const limiter = limiterFor(t, { url, onStoreError: 'deny' });
    const key = `test-${randomUUID()}`;
    const limits = { tokensPerMinute: 1_000 };
    const old = await limiter.admit(key, limits, 100);
    assert.ok(old.allowed);
    await loseKey(t, loss, url, key);
    assert.ok((await limiter.admit(key, limits, 500)).allowed);
    await limiter.settle(old.reservation, 900);
    // 500 counted since the loss: 400 still fit (500 + 800 would have refused them).
    assert.equal((await limiter.admit(key, limits, 400)).allowed, true);
  });
}

test('a reservation made before the window rolled over still settles into the previous window', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const windowMs = 2_000;
  const limiter = limiterFor(t, { url, onStoreError: 'deny', windowMs });
  const probe = clientFor(t, url);
  const key = `test-${randomUUID()}`;
  const limits = { tokensPerMinute: 1_000 };
  const [seconds, micros] = await probe.time();
  // Start early in a window, so that admit and settle land in two adjacent ones.
  const intoWindow = (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)) % windowMs;
  if (intoWindow > windowMs / 4) await sleep(windowMs - intoWindow + 20);
  const old = await limiter.admit(key, limits, 800);
  assert.ok(old.allowed);
  await sleep(windowMs);
  assert.ok((await limiter.admit(key, limits, 10)).allowed, 'rolls the key over: the 800 are now the previous window');
  await limiter.settle(old.reservation, 0);
  const counters = await probe.hgetall(`aigw:quota:{${key}}`);
  assert.equal(counters['tp'], '0', JSON.stringify(counters));
  assert.equal(counters['tc'], '10');
});

// ------------------------------------------------------------------ store failures on a private Redis

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function startPrivateRedis(t: TestContext, port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  t.after(() => { child.kill('SIGCONT'); child.kill('SIGKILL'); });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  for (let tries = 0; tries < 100; tries += 1) {
    try {
      if (probe.status !== 'ready') await probe.connect();
      await probe.ping();
      break;
    } catch {
      await sleep(50);
    }
  }
  probe.disconnect();
  return child;
}

for (const policy of ['allow', 'deny'] as const) {
  test(`Redis killed mid-run: every check resolves within the timeout with the "${policy}" policy, and counting resumes after restart`, async (t) => {
    if (requireService(t, 'redis') === undefined) return;
    const port = await freePort();
    let server = await startPrivateRedis(t, port);
    const registry = new Registry();
    const logs: string[] = [];
    const limiter = limiterFor(t, {
      url: `redis://127.0.0.1:${port}`, onStoreError: policy, timeoutMs: 100, metrics: registry,
      log: (message) => logs.push(message), logIntervalMs: 60_000,
    });
    const key = `test-${randomUUID()}`;
    const limits = { requestsPerMinute: 1_000 };
    for (let index = 0; index < 5; index += 1) assert.ok((await limiter.admit(key, limits, 1)).allowed);
    server.kill('SIGKILL');
    await once(server, 'exit');
    for (let index = 0; index < 20; index += 1) {
      const admission = await withinGuard(limiter.admit(key, limits, 1), 'admit with Redis down');
      if (policy === 'allow') {
        assert.ok(admission.allowed);
        await withinGuard(limiter.settle(admission.reservation, 5), 'settle of an uncounted admission');
      } else {
        assert.deepEqual(admission, { allowed: false, exceeded: 'store', retryAfterMs: 1_000 });
      }
    }
    const counter = await registry.getSingleMetric('aigw_quota_store_errors_total')?.get();
    assert.equal(counter?.values.find((value) => value.labels['operation'] === 'admit')?.value, 20);
    assert.equal(logs.length, 1, 'one log line per interval, not one per request');

    server = await startPrivateRedis(t, port);
    let counted = false;
    for (let tries = 0; tries < 60 && !counted; tries += 1) {
      await sleep(100);
      const admission = await withinGuard(limiter.admit(key, { requestsPerMinute: 1 }, 1), 'admit after restart');
      // The restarted Redis is empty: the first check that reaches it counts, the next is over quota.
      if (admission.allowed && admission.reservation.window >= 0) counted = true;
    }
    assert.ok(counted, 'checks reach Redis again after it restarts');
    assert.equal((await limiter.admit(key, { requestsPerMinute: 1 }, 1)).allowed, false);
  });
}

test('a gateway whose event loop lags past the timeout does not call a Redis that answered in time "down"', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const limiter = limiterFor(t, { url, onStoreError: 'deny', timeoutMs: 80 });
  const key = `test-${randomUUID()}`;
  assert.ok((await limiter.admit(key, { requestsPerMinute: 100 }, 1)).allowed);
  const pending = Array.from({ length: 5 }, () => limiter.admit(key, { requestsPerMinute: 100 }, 1));
  // A busy request path: the loop is blocked for 300 ms while Redis answers within a millisecond.
  const until = performance.now() + 300;
  while (performance.now() < until) { /* busy */ }
  const admissions = await Promise.all(pending);
  assert.deepEqual(admissions.map((admission) => admission.allowed), [true, true, true, true, true]);
});

test('a hung Redis (SIGSTOP) is a store error after the command timeout, not a hang', async (t) => {
  if (requireService(t, 'redis') === undefined) return;
  const port = await freePort();
  const server = await startPrivateRedis(t, port);
  const limiter = limiterFor(t, { url: `redis://127.0.0.1:${port}`, onStoreError: 'deny', timeoutMs: 80 });
  const key = `test-${randomUUID()}`;
  assert.ok((await limiter.admit(key, { requestsPerMinute: 10 }, 1)).allowed);
  server.kill('SIGSTOP');
  const results = await withinGuard(Promise.all(Array.from({ length: 10 }, () => limiter.admit(key, { requestsPerMinute: 10 }, 1))), 'admits against a hung Redis');
  for (const result of results) assert.deepEqual(result, { allowed: false, exceeded: 'store', retryAfterMs: 1_000 });
  server.kill('SIGCONT');
});

test('a new replica\'s very first admits carry a deadline too: timed out against a hung Redis, they count nothing later', async (t) => {
  if (requireService(t, 'redis') === undefined) return;
  const port = await freePort();
  const server = await startPrivateRedis(t, port);
  const url = `redis://127.0.0.1:${port}`;
  const limiter = limiterFor(t, { url, onStoreError: 'deny', timeoutMs: 80 });
  // Connected and idle (Redis's clock read on connect), then Redis hangs before any admit.
  const probe = new Redis(url);
  t.after(() => probe.quit().catch(() => probe.disconnect()));
  // The script is loaded (as a running fleet would have it), so a late admit would really run.
  await probe.script('LOAD', QUOTA_SCRIPT);
  await sleep(300);
  server.kill('SIGSTOP');
  const key = `test-${randomUUID()}`;
  const first = await withinGuard(Promise.all(Array.from({ length: 3 }, () => limiter.admit(key, { requestsPerMinute: 100 }, 10))), 'first admits against a hung Redis');
  assert.ok(first.every((admission) => !admission.allowed && admission.exceeded === 'store'));
  server.kill('SIGCONT');
  await probe.ping();
  await sleep(50);
  assert.deepEqual(await probe.hgetall(`aigw:quota:{${key}}`), {}, 'nothing counted for admits the gateway refused');
});

for (const policy of ['allow', 'deny'] as const) {
  test(`admits that timed out against a hung Redis count nothing when Redis runs them later ("${policy}")`, async (t) => {
    if (requireService(t, 'redis') === undefined) return;
    const port = await freePort();
    const server = await startPrivateRedis(t, port);
    const url = `redis://127.0.0.1:${port}`;
    const limiter = limiterFor(t, { url, onStoreError: policy, timeoutMs: 80 });
    const key = `test-${randomUUID()}`;
    const limits = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    assert.ok((await limiter.admit(key, limits, 400)).allowed);
    server.kill('SIGSTOP');
    const late = await withinGuard(Promise.all(Array.from({ length: 3 }, () => limiter.admit(key, limits, 400))), 'admits against a hung Redis');
    assert.ok(late.every((admission) => admission.allowed === (policy === 'allow')));
    // The three admits are on the socket: a resumed Redis runs them now.
    server.kill('SIGCONT');
    const probe = new Redis(url);
    // The private server may be gone by the time this closes.
    t.after(() => probe.quit().catch(() => probe.disconnect()));
    await probe.ping();
    const counters = await probe.hgetall(`aigw:quota:{${key}}`);
    assert.equal(counters['rc'], '1', `only the admit answered in time is counted: ${JSON.stringify(counters)}`);
    assert.equal(counters['tc'], '400');
    // And the next admissions are judged on that count alone.
    const next = await limiter.admit(key, limits, 400);
    assert.ok(next.allowed && next.reservation.window >= 0);
  });
}
