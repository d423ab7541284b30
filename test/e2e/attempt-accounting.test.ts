/**
 * How a request's attempts are counted over real sockets (design §3.4, §3.5, §5): a failure counts as a
 * failover only when another call followed it — in `aigw_attempts_total`'s outcome label, in
 * `aigw_failovers_total` and in the audit record's `aigw.failover` alike. The last candidate's failure
 * ended the run (outcome `returned`), and a retry of the same target is not a failover.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { gatewaySuite, metricValue, mockProviders, type AuditLine, type GatewayHandle } from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];

describe('attempt accounting', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  // Each route has providers of its own: aigw_failovers_total is labelled by provider and reason only.
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { first: 'openai', second: 'anthropic', solo: 'openai', again: 'openai' })}
ai_routes:
  - name: both-fail
    match: { model: "both-fail" }
    targets:
      - { provider: first, model: gpt-down-a, weight: 1 }
      - { provider: second, model: claude-down-b, weight: 0 }
    retry: { attempts: 0 }
  - name: single-fail
    match: { model: "single-fail" }
    targets: [ { provider: solo, model: gpt-down-solo } ]
    retry: { attempts: 0 }
  - name: single-retry
    match: { model: "single-retry" }
    targets: [ { provider: again, model: gpt-down-again } ]
    retry: { attempts: 1, backoff_ms: 10 }
`);

  async function failedRequest(model: string): Promise<{ metrics: string; record: AuditLine | undefined }> {
    await assert.rejects(handle.client.chat.completions.create({ model, messages }), (error: unknown) => error instanceof APIError && error.status === 502);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === model);
    return { metrics: await handle.metricsText(), record };
  }

  test('two targets both failing: the first attempt is a failover, the last one is returned (nothing followed it)', async () => {
    mock.setFaults(['model=gpt-down-a,status=503', 'model=claude-down-b,status=503']);
    const { metrics, record } = await failedRequest('both-fail');
    const attempts = (provider: string, model: string, outcome: string): number => metricValue(metrics, 'aigw_attempts_total', { provider, model, outcome, reason: 'retryable_5xx' });
    assert.equal(attempts('first', 'gpt-down-a', 'failover'), 1);
    assert.equal(attempts('second', 'claude-down-b', 'failover'), 0);
    assert.equal(attempts('second', 'claude-down-b', 'returned'), 1);
    assert.equal(metricValue(metrics, 'aigw_failovers_total', { provider: 'first' }), 1);
    assert.equal(metricValue(metrics, 'aigw_failovers_total', { provider: 'second' }), 0);
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.outcome]), [['first', 'failure'], ['second', 'failure']]);
    assert.equal(record?.aigw.failover, true, 'the second target was tried after the first failed');
  });

  test('a single target failing: no failover outcome, no failover counted, none in the audit record', async () => {
    mock.setFaults(['model=gpt-down-solo,status=503']);
    const { metrics, record } = await failedRequest('single-fail');
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'solo', outcome: 'failover' }), 0);
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'solo', model: 'gpt-down-solo', outcome: 'returned', reason: 'retryable_5xx' }), 1);
    assert.equal(metricValue(metrics, 'aigw_failovers_total', { provider: 'solo' }), 0);
    assert.equal(record?.aigw.failover, false);
    assert.equal(record?.error?.code, 'AIGW_E_ALL_ATTEMPTS_FAILED');
  });

  test('a single target retried and failing again: a retry and a returned attempt, and no failover', async () => {
    mock.setFaults(['model=gpt-down-again,status=503']);
    const { metrics, record } = await failedRequest('single-retry');
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'again', outcome: 'retry' }), 1);
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'again', outcome: 'returned' }), 1);
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'again', outcome: 'failover' }), 0);
    assert.equal(metricValue(metrics, 'aigw_failovers_total', { provider: 'again' }), 0);
    assert.equal(record?.aigw.attempts.length, 2);
    assert.equal(record?.aigw.failover, false, 'a retry of the same target is not a failover');
  });
});
