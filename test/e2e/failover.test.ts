/**
 * Failover over real sockets (design §3.3–§3.5, §3.7, §10.2, §10.8) with the official `openai` SDK:
 * a forced 503, a 429 with a Retry-After inside and beyond `max_retry_after_ms`, a 429 without one,
 * the latency target, a provider that never answers, a reset before the response head, a stream
 * failing before its first byte, and a primary that is down then recovers (the circuit opens, skips
 * it, probes it and closes). The answer names the model that answered; the audit lists every attempt.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MockLogEntry } from '../../runtime/mock/request-log.js';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { collect, eventually, gatewaySuite, metricValue, mockProviders, type GatewayHandle } from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];

/** A route whose primary (weight 1) is tried first, then the backup (weight 0). */
function route(name: string, primary: string, backup: string, extra = '', primaryProvider = 'openai'): string {
  return `
  - name: ${name}
    match: { model: "${name}" }
    targets:
      - { provider: ${primaryProvider}, model: ${primary}, weight: 1, max_latency_ms: 400 }
      - { provider: anthropic, model: ${backup}, weight: 0 }${extra}`;
}

const calls = (mock: RunningMock, model: string): MockLogEntry[] => mock.log().filter((entry) => entry.model === model);

describe('failover', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic', bedrock: 'bedrock' }, { bedrock: 'region: us-east-1' })}
ai_routes:
${route('forced-503', 'gpt-503', 'claude-after-503', '\n    retry: { attempts: 1, backoff_ms: 10 }')}
${route('retry-after-short', 'gpt-429-short', 'claude-after-429-short', '\n    retry: { attempts: 1, backoff_ms: 10, max_retry_after_ms: 2000 }')}
${route('retry-after-long', 'gpt-429-long', 'claude-after-429-long', '\n    retry: { attempts: 1, backoff_ms: 10, max_retry_after_ms: 2000 }')}
${route('no-retry-after', 'anthropic.titan-429', 'claude-after-429-bare', '\n    retry: { attempts: 1, backoff_ms: 10 }', 'bedrock')}
${route('latency', 'gpt-slow-head', 'claude-after-latency')}
${route('no-answer', 'gpt-silent', 'claude-after-silence')}
${route('reset', 'gpt-reset', 'claude-after-reset', '\n    retry: { attempts: 1, backoff_ms: 10 }')}
${route('stream-503', 'gpt-stream-503', 'claude-after-stream-503', '\n    retry: { attempts: 0 }')}
${route('circuit', 'gpt-flaky', 'claude-steady', '\n    retry: { attempts: 0 }')}
`, { overrides: { health: { threshold: 3, openMs: 400 } } });

  test('a forced 503 is retried once on the same target, then the backup answers and names its model', async () => {
    mock.setFaults(['model=gpt-503,status=503']);
    const { data, response } = await handle.client.chat.completions.create({ model: 'forced-503', messages }).withResponse();
    assert.equal(data.model, 'claude-after-503');
    assert.equal(response.headers.get('x-aigw-provider'), 'anthropic');
    assert.equal(response.headers.get('x-aigw-route'), 'forced-503');
    assert.equal(calls(mock, 'gpt-503').length, 2, 'one call and one retry');
    assert.equal(calls(mock, 'claude-after-503').length, 1);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'forced-503');
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.status ?? 0, attempt.reason ?? null]), [
      ['openai', 'gpt-503', 503, 'retryable_5xx'], ['openai', 'gpt-503', 503, 'retryable_5xx'], ['anthropic', 'claude-after-503', 200, null],
    ]);
    assert.equal(record?.gen_ai.response?.model, 'claude-after-503');
    assert.ok(metricValue(await handle.metricsText(), 'aigw_failovers_total', { provider: 'openai', reason: 'retryable_5xx' }) >= 1);
  });

  test('a 429 whose Retry-After fits max_retry_after_ms is retried on the same target after exactly that wait', async () => {
    mock.setFaults(['model=gpt-429-short,status=429,retry_after=1,first=1']);
    const { data } = await handle.client.chat.completions.create({ model: 'retry-after-short', messages }).withResponse();
    assert.equal(data.model, 'gpt-429-short', 'the same target answered after its retry');
    const [first, second] = calls(mock, 'gpt-429-short');
    assert.equal(first?.status, 429);
    assert.equal(second?.status, 200);
    const waited = Date.parse(second?.receivedAt ?? '') - Date.parse(first?.receivedAt ?? '');
    assert.ok(waited >= 990, `waited ${waited} ms for a 1 s Retry-After`);
    assert.equal(calls(mock, 'claude-after-429-short').length, 0);
  });

  test('a 429 whose Retry-After exceeds max_retry_after_ms fails over at once (no retry)', async () => {
    mock.setFaults(['model=gpt-429-long,status=429,retry_after=30']);
    const { data } = await handle.client.chat.completions.create({ model: 'retry-after-long', messages }).withResponse();
    assert.equal(data.model, 'claude-after-429-long');
    assert.equal(calls(mock, 'gpt-429-long').length, 1);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'retry-after-long');
    assert.equal(record?.aigw.attempts[0]?.reason, 'rate_limited');
  });

  test('a 429 without Retry-After (Bedrock sends none) is retried after a backoff, then fails over', async () => {
    mock.setFaults(['model=anthropic.titan-429,status=429']);
    const { data } = await handle.client.chat.completions.create({ model: 'no-retry-after', messages }).withResponse();
    assert.equal(data.model, 'claude-after-429-bare');
    const primary = calls(mock, 'anthropic.titan-429');
    assert.equal(primary.length, 2);
    assert.equal(primary[0]?.status, 429);
  });

  test('an attempt past max_latency_ms is aborted (its socket closed) and the backup answers', async () => {
    mock.setFaults(['model=gpt-slow-head,delay_headers=3000']);
    const { data } = await handle.client.chat.completions.create({ model: 'latency', messages }).withResponse();
    assert.equal(data.model, 'claude-after-latency');
    await eventually(() => calls(mock, 'gpt-slow-head')[0]?.clientClosed ?? undefined, 2_000, 'the slow attempt closed');
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'latency');
    assert.equal(record?.aigw.attempts[0]?.reason, 'latency');
  });

  test('a provider that accepts and never answers costs max_latency_ms, then the backup answers', async () => {
    mock.setFaults(['model=gpt-silent,no_answer']);
    const { data } = await handle.client.chat.completions.create({ model: 'no-answer', messages }).withResponse();
    assert.equal(data.model, 'claude-after-silence');
    assert.equal(calls(mock, 'gpt-silent').length, 1, 'a timeout is never retried on the same target');
    await eventually(() => calls(mock, 'gpt-silent')[0]?.clientClosed ?? undefined, 2_000, 'the silent attempt closed');
  });

  test('a reset before the response head is retried, then fails over as connect_error', async () => {
    mock.setFaults(['model=gpt-reset,reset']);
    const { data } = await handle.client.chat.completions.create({ model: 'reset', messages }).withResponse();
    assert.equal(data.model, 'claude-after-reset');
    assert.equal(calls(mock, 'gpt-reset').length, 2);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'reset');
    assert.deepEqual(record?.aigw.attempts.map((attempt) => attempt.reason ?? null), ['connect_error', 'connect_error', null]);
  });

  test('a stream failing before its first byte fails over like any request: the client sees only the backup stream', async () => {
    mock.setFaults(['model=gpt-stream-503,status=503']);
    const { data: stream, response } = await handle.client.chat.completions.create({ model: 'stream-503', messages, stream: true }).withResponse();
    const chunks = await collect(stream);
    assert.equal(response.headers.get('x-aigw-provider'), 'anthropic');
    assert.ok(chunks.every((chunk) => chunk.model === 'claude-after-stream-503'));
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'Hello! Nice to meet you.');
  });

  test('a primary that is down opens its circuit (then is skipped), and closes it again once it recovers', async () => {
    mock.setFaults(['model=gpt-flaky,status=503']);
    for (let index = 0; index < 3; index += 1) {
      const answer = await handle.client.chat.completions.create({ model: 'circuit', messages });
      assert.equal(answer.model, 'claude-steady');
    }
    assert.equal(calls(mock, 'gpt-flaky').length, 3);
    assert.equal(metricValue(await handle.metricsText(), 'aigw_circuit_open_total', { provider: 'openai', model: 'gpt-flaky' }), 1);

    // Open: the primary is skipped without a call.
    const skipped = await handle.client.chat.completions.create({ model: 'circuit', messages });
    assert.equal(skipped.model, 'claude-steady');
    assert.equal(calls(mock, 'gpt-flaky').length, 3, 'no call while the circuit is open');
    assert.equal(metricValue(await handle.metricsText(), 'aigw_attempts_total', { provider: 'openai', model: 'gpt-flaky', reason: 'circuit_open', outcome: 'skipped' }), 1);

    // The provider recovers; after the open period one request probes it and closes the circuit.
    mock.setFaults([]);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await handle.client.chat.completions.create({ model: 'circuit', messages });
    assert.equal(probe.model, 'gpt-flaky', 'the half-open probe went to the recovered primary');
    const closed = await handle.client.chat.completions.create({ model: 'circuit', messages });
    assert.equal(closed.model, 'gpt-flaky', 'closed again: the primary serves');
    assert.equal(calls(mock, 'gpt-flaky').length, 5);
    assert.ok(handle.logLines().some((line) => line['msg'] === 'circuit closed' && line['model'] === 'gpt-flaky'));
  });
});
