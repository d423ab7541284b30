/**
 * The gateway's other endpoints over real sockets (issue 9 item 1): GET /v1/models in OpenAI's list
 * shape filtered by the caller's allow-list (the SDK's `models.list()` and `models.retrieve()` work),
 * /healthz, /readyz, and /metrics in Prometheus text with the instruments the issue names — requests,
 * attempts and failovers by provider and reason, upstream latency histograms, tokens, quota
 * rejections and in-flight streams.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { collect, eventually, gatewaySuite, metricValue, mockProviders, type GatewayHandle } from './helpers/gateway-harness.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const messages = [{ role: 'user' as const, content: 'Hello' }];
const ALL = 'sk-models-all';
const NARROW = 'sk-models-narrow';
const LIMITED = 'sk-models-limited';

describe('models, health and metrics', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic', team: 'vllm' })}
credentials:
  - { id: all, key_sha256: "${sha256(ALL)}" }
  - { id: narrow, key_sha256: "${sha256(NARROW)}", routes: [ local ] }
  - { id: limited, key_sha256: "${sha256(LIMITED)}", quota: { requests_per_minute: 1 } }
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets:
      - { provider: openai, model: gpt-metrics, weight: 1 }
      - { provider: anthropic, model: claude-metrics, weight: 0 }
    retry: { attempts: 0 }
  - name: local
    match: { model: "meta-llama/Llama-3.1-8B-Instruct" }
    targets: [ { provider: team, model: meta-llama/Llama-3.1-8B-Instruct } ]
  - name: slow-stream
    match: { model: "slow-stream" }
    targets: [ { provider: anthropic, model: claude-slow } ]
    stream_idle_timeout_ms: 20000
`, { apiKey: ALL });

  test('models.list() returns every route model in OpenAI list shape for an unrestricted key', async () => {
    const page = await handle.client.models.list();
    const ids = page.data.map((model) => model.id);
    assert.deepEqual(ids, ['gpt-4o-mini', 'meta-llama/Llama-3.1-8B-Instruct', 'slow-stream']);
    for (const model of page.data) {
      assert.equal(model.object, 'model');
      assert.equal(model.owned_by, 'aigw');
      assert.ok(Number.isInteger(model.created));
    }
    const raw = await (await fetch(`${handle.url}/v1/models`, { headers: { authorization: `Bearer ${ALL}` } })).json() as { object: string };
    assert.equal(raw.object, 'list');
  });

  test('models.list() is filtered by the allow-list; models.retrieve() finds allowed models (slashes included) only', async () => {
    const narrow = handle.newClient({ apiKey: NARROW });
    assert.deepEqual((await narrow.models.list()).data.map((model) => model.id), ['meta-llama/Llama-3.1-8B-Instruct']);
    const retrieved = await narrow.models.retrieve('meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(retrieved.id, 'meta-llama/Llama-3.1-8B-Instruct');
    const hidden = await narrow.models.retrieve('gpt-4o-mini').catch((error: unknown) => error);
    assert.ok(hidden instanceof APIError && hidden.status === 404 && hidden.code === 'model_not_found');
    const unknown = await handle.newClient({ apiKey: 'sk-nobody' }).models.list().catch((error: unknown) => error);
    assert.ok(unknown instanceof APIError && unknown.status === 401);
  });

  test('/healthz answers ok; /readyz is ready with the audit sink status', async () => {
    const health = await fetch(`${handle.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${handle.url}/readyz`);
    assert.equal(ready.status, 200);
    const body = await ready.json() as { status: string; audit: { sink: string; healthy: boolean }[] };
    assert.equal(body.status, 'ready');
    assert.equal(body.audit[0]?.sink, 'jsonl');
    assert.match(ready.headers.get('x-request-id') ?? '', /\S/);
  });

  test('/metrics names the issue\'s instruments and counts a failover, tokens and a quota rejection', async () => {
    mock.setFaults(['model=gpt-metrics,status=503,first=1']);
    const answer = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(answer.model, 'claude-metrics');
    const limited = handle.newClient({ apiKey: LIMITED });
    await limited.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await assert.rejects(limited.chat.completions.create({ model: 'gpt-4o-mini', messages }), APIError);

    const response = await fetch(`${handle.url}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const types: Record<string, string> = {
      aigw_requests_total: 'counter',
      aigw_request_duration_seconds: 'histogram',
      aigw_attempts_total: 'counter',
      aigw_failovers_total: 'counter',
      aigw_upstream_first_content_seconds: 'histogram',
      aigw_tokens_total: 'counter',
      aigw_quota_rejections_total: 'counter',
      aigw_inflight_streams: 'gauge',
      aigw_inflight_requests: 'gauge',
      aigw_malformed_upstream_events_total: 'counter',
      aigw_circuit_open_total: 'counter',
    };
    for (const [name, type] of Object.entries(types)) assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    assert.equal(metricValue(text, 'aigw_requests_total', { route: 'chat', status: '200', stream: 'false' }), 2);
    assert.equal(metricValue(text, 'aigw_requests_total', { route: 'chat', status: '429' }), 1);
    assert.equal(metricValue(text, 'aigw_attempts_total', { provider: 'openai', model: 'gpt-metrics', outcome: 'failover', reason: 'retryable_5xx' }), 1);
    assert.equal(metricValue(text, 'aigw_failovers_total', { provider: 'openai', reason: 'retryable_5xx' }), 1);
    assert.ok(metricValue(text, 'aigw_upstream_first_content_seconds_count', { provider: 'anthropic', model: 'claude-metrics' }) >= 1);
    assert.equal(metricValue(text, 'aigw_tokens_total', { provider: 'anthropic', model: 'claude-metrics', kind: 'prompt' }), 21);
    assert.equal(metricValue(text, 'aigw_tokens_total', { provider: 'anthropic', model: 'claude-metrics', kind: 'completion' }), 9);
    assert.equal(metricValue(text, 'aigw_quota_rejections_total', { credential: 'limited', exceeded: 'requests' }), 1);
    assert.ok(!text.includes(ALL) && !text.includes(LIMITED), 'no key in metrics');
  });

  test('the audit pipeline\'s metrics are on the gateway\'s /metrics, and delivered counts the records written', async () => {
    for (let index = 0; index < 3; index += 1) await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await handle.gateway.audit.flush(5_000);
    const text = await handle.metricsText();
    const types: Record<string, string> = {
      aigw_audit_queue_depth: 'gauge', aigw_audit_spool_bytes: 'gauge', aigw_audit_delivered_total: 'counter',
      aigw_audit_retried_total: 'counter', aigw_audit_dead_lettered_total: 'counter', aigw_audit_dropped_total: 'counter',
    };
    for (const [name, type] of Object.entries(types)) assert.match(text, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), name);
    const written = (await handle.auditRecords()).length;
    assert.ok(written >= 3);
    assert.equal(metricValue(text, 'aigw_audit_delivered_total', { sink: 'jsonl' }), written);
    assert.equal(metricValue(text, 'aigw_audit_queue_depth', { sink: 'jsonl' }), 0);
  });

  test('aigw_inflight_streams counts a stream while it is relayed', async () => {
    mock.setFaults(['model=claude-slow,stall=800,stall_after=4']);
    const stream = await handle.client.chat.completions.create({ model: 'slow-stream', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    assert.equal(metricValue(await handle.metricsText(), 'aigw_inflight_streams'), 1);
    await collect({ [Symbol.asyncIterator]: () => iterator });
    await eventually(async () => (metricValue(await handle.metricsText(), 'aigw_inflight_streams') === 0 ? true : undefined), 2_000, 'gauge back to 0');
  });

  test('aigw_inflight_requests counts a chat request in flight, not the scrape that reads it nor probes', async () => {
    await eventually(async () => (metricValue(await handle.metricsText(), 'aigw_inflight_requests') === 0 ? true : undefined), 2_000, 'idle gauge at 0 during its own scrape');
    await fetch(`${handle.url}/healthz`);
    assert.equal(metricValue(await handle.metricsText(), 'aigw_inflight_requests'), 0);
    mock.setFaults(['model=claude-slow,stall=800,stall_after=4']);
    const stream = await handle.client.chat.completions.create({ model: 'slow-stream', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    assert.equal(metricValue(await handle.metricsText(), 'aigw_inflight_requests'), 1);
    await collect({ [Symbol.asyncIterator]: () => iterator });
  });
});
