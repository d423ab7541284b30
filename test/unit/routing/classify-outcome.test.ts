import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailoverClass } from '../../../runtime/adapters/contract.js';
import { DEFAULT_FAILOVER_ON } from '../../../runtime/manifest/types.js';
import { failoverReasons, healthVerdict, reasonOf } from '../../../runtime/routing/classify-outcome.js';
import { TransportError } from '../../../runtime/transport/transport.js';

const upstream = (failoverClass: FailoverClass) => ({
  kind: 'upstream' as const, status: 400, error: { status: 400, failoverClass, envelope: { error: { message: 'x', type: 't', param: null, code: null } } },
});

test('failover classes map one-to-one to reasons', () => {
  const table: [FailoverClass, string][] = [
    ['retryable_5xx', 'retryable_5xx'], ['rate_limited', 'rate_limited'], ['client_error', 'client_error'],
    ['auth_error', 'auth_error'], ['context_length', 'context_length'], ['content_filter', 'content_filter'],
  ];
  for (const [failoverClass, reason] of table) assert.equal(reasonOf(upstream(failoverClass)), reason);
  assert.equal(reasonOf({ kind: 'transport', error: new TransportError('x', { failure: 'connect', code: 'ECONNREFUSED', beforeResponse: true }) }), 'connect_error');
  assert.equal(reasonOf({ kind: 'transport', error: new TransportError('x', { failure: 'auth', code: 'AIGW_CREDENTIAL_MISSING', beforeResponse: true }) }), 'auth_error');
  assert.equal(reasonOf({ kind: 'latency', budgetMs: 1 }), 'latency');
  assert.equal(reasonOf({ kind: 'stream', detail: 'x', status: 200 }), 'stream_error');
  assert.equal(reasonOf({ kind: 'timeout' }), 'timeout');
  assert.equal(reasonOf({ kind: 'aborted' }), 'aborted');
});

test('failover_on spells 5xx and 429; the operator\'s faults (auth_error, target_unavailable) always fail over; client errors never do', () => {
  const reasons = failoverReasons(DEFAULT_FAILOVER_ON);
  assert.deepEqual([...reasons].sort(), ['auth_error', 'connect_error', 'context_length', 'latency', 'rate_limited', 'retryable_5xx', 'stream_error', 'target_unavailable']);
  assert.deepEqual([...failoverReasons([])], ['auth_error', 'target_unavailable']);
  assert.equal(reasons.has('client_error'), false);
  assert.equal(reasons.has('content_filter'), false);
});

test('the circuit breaker counts provider failures only: client 4xx prove the provider is up, aborts prove nothing', () => {
  assert.equal(healthVerdict(null), 'success');
  assert.equal(healthVerdict('content_filter'), 'success');
  assert.equal(healthVerdict('context_length'), 'success');
  for (const reason of ['retryable_5xx', 'rate_limited', 'latency', 'connect_error', 'stream_error', 'auth_error', 'target_unavailable'] as const) assert.equal(healthVerdict(reason), 'failure');
  assert.equal(healthVerdict('aborted'), 'none');
  assert.equal(healthVerdict('timeout'), 'none');
});
