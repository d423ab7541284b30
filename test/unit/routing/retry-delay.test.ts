import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../runtime/clock.js';
import { TransportError } from '../../../runtime/transport/transport.js';
import { decideRetry, jitteredBackoff } from '../../../runtime/routing/retry-delay.js';
import type { AttemptFailure } from '../../../runtime/routing/classify-outcome.js';

const policy = { attempts: 2, backoffMs: 250, maxRetryAfterMs: 5000 };
const upstream = (status: number, failoverClass: 'retryable_5xx' | 'rate_limited' | 'client_error', retryAfterMs?: number): AttemptFailure => ({
  kind: 'upstream', status,
  error: { status, failoverClass, envelope: { error: { message: 'x', type: 'server_error', param: null, code: null } }, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
});

test('jittered backoff stays within [0.5, 1.5) × backoff_ms × 2^n', () => {
  const random = seededRandom(9);
  for (let retry = 0; retry < 3; retry += 1) {
    const base = 250 * 2 ** retry;
    let low = Infinity;
    let high = 0;
    for (let index = 0; index < 5000; index += 1) {
      const delay = jitteredBackoff(250, retry, random);
      low = Math.min(low, delay);
      high = Math.max(high, delay);
    }
    assert.ok(low >= base * 0.5 && high <= base * 1.5, `retry ${retry}: ${low}..${high}`);
    assert.ok(high - low > base * 0.9, 'the jitter actually spreads');
  }
});

test('Retry-After within max_retry_after_ms is honoured exactly, with no jitter', () => {
  assert.deepEqual(decideRetry(upstream(429, 'rate_limited', 2000), 0, policy, seededRandom(1), 60_000), { retry: true, delayMs: 2000 });
});

test('Retry-After longer than max_retry_after_ms means no retry (fail over at once)', () => {
  const decision = decideRetry(upstream(503, 'retryable_5xx', 5001), 0, policy, seededRandom(1), 60_000);
  assert.equal(decision.retry, false);
});

test('retries stop after retry.attempts', () => {
  assert.equal(decideRetry(upstream(503, 'retryable_5xx'), 1, policy, seededRandom(1), 60_000).retry, true);
  assert.equal(decideRetry(upstream(503, 'retryable_5xx'), 2, policy, seededRandom(1), 60_000).retry, false);
});

test('only 5xx, 429 and a reset or refusal before any byte are retried; a latency timeout never is', () => {
  const random = seededRandom(1);
  const reset = new TransportError('reset', { failure: 'reset', code: 'ECONNRESET', beforeResponse: true });
  const late = new TransportError('reset', { failure: 'reset', code: 'ECONNRESET', beforeResponse: false });
  const dns = new TransportError('dns', { failure: 'dns', code: 'ENOTFOUND', beforeResponse: true });
  assert.equal(decideRetry({ kind: 'transport', error: reset }, 0, policy, random, 60_000).retry, true);
  assert.equal(decideRetry({ kind: 'transport', error: late }, 0, policy, random, 60_000).retry, false);
  assert.equal(decideRetry({ kind: 'transport', error: dns }, 0, policy, random, 60_000).retry, false);
  assert.equal(decideRetry({ kind: 'latency', budgetMs: 800 }, 0, policy, random, 60_000).retry, false);
  assert.equal(decideRetry(upstream(400, 'client_error'), 0, policy, random, 60_000).retry, false);
  assert.equal(decideRetry({ kind: 'stream', detail: 'x', status: 200 }, 0, policy, random, 60_000).retry, false);
});

test('a wait that does not fit in what is left of timeout_ms is not taken', () => {
  const decision = decideRetry(upstream(429, 'rate_limited', 2000), 0, policy, seededRandom(1), 1999);
  assert.equal(decision.retry, false);
});
