/**
 * A client that goes away aborts the upstream call at once (design §5: no paying for tokens nobody
 * reads): the official `openai` SDK aborts with its AbortController, and the mock's request log shows
 * the gateway's upstream socket closing long before the answer would have been complete. The request
 * still leaves its audit record (client_aborted, 499) and the in-flight gauges return to zero.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { APIUserAbortError } from 'openai';
import { realClock } from '../../runtime/clock.js';
import type { QuotaLimiter } from '../../runtime/quota/limiter.js';
import { createMemoryLimiter } from '../../runtime/quota/memory-limiter.js';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import {
  eventually, gatewaySuite, metricValue, mockProviders, startTestGateway, startTestMock, type GatewayHandle,
} from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];

describe('client abort', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic' })}
ai_routes:
  - name: waiting
    match: { model: "waiting" }
    targets: [ { provider: openai, model: gpt-waiting } ]
  - name: streaming
    match: { model: "streaming" }
    targets: [ { provider: anthropic, model: claude-streaming } ]
    stream_idle_timeout_ms: 30000
`);

  test('aborting a non-stream request while the provider thinks closes the upstream socket at once', async () => {
    mock.setFaults(['model=gpt-waiting,delay_headers=5000']);
    const controller = new AbortController();
    const pending = handle.client.chat.completions.create({ model: 'waiting', messages }, { signal: controller.signal });
    await eventually(() => mock.log().find((entry) => entry.model === 'gpt-waiting'), 2_000, 'the upstream request');
    controller.abort();
    await assert.rejects(pending, APIUserAbortError);
    const closed = await eventually(() => mock.log().find((entry) => entry.model === 'gpt-waiting')?.clientClosed ?? undefined, 2_000, 'upstream close');
    assert.equal(closed.midStream, false);
    assert.ok(closed.atMs < 5_000, `closed after ${closed.atMs} ms, before the delayed answer`);
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.aigw.route === 'waiting'), 3_000, 'audit record');
    assert.equal(record.aigw.client_aborted, true);
    assert.equal(record.http.response.status_code, 499);
  });

  test('aborting a stream mid-answer closes the upstream stream at once; the gauges return to zero', async () => {
    // Chunk 4 is the first text delta; the stall after it keeps the upstream stream open for 5 s.
    mock.setFaults(['model=claude-streaming,stall=5000,stall_after=4']);
    const controller = new AbortController();
    const stream = await handle.client.chat.completions.create({ model: 'streaming', messages, stream: true }, { signal: controller.signal });
    let text = '';
    // The SDK ends the iteration quietly when its own signal aborts it.
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text !== '') controller.abort();
    }
    assert.equal(text, 'Hello');
    const closed = await eventually(() => mock.log().find((entry) => entry.model === 'claude-streaming')?.clientClosed ?? undefined, 2_000, 'upstream close');
    assert.equal(closed.midStream, true);
    assert.ok(closed.chunksSent < 9, `the upstream stream was cut after ${closed.chunksSent} of 9 chunks`);
    assert.ok(closed.atMs < 5_000, `closed after ${closed.atMs} ms, during the stall`);
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.aigw.route === 'streaming'), 3_000, 'audit record');
    assert.equal(record.aigw.client_aborted, true);
    assert.equal(record.aigw.stream, true);
    // The provider whose stream the client was reading is named; leaving is no failover.
    assert.equal(record.aigw.provider, 'anthropic');
    assert.equal(record.aigw.failover, false);
    await eventually(async () => {
      const metrics = await handle.metricsText();
      return metricValue(metrics, 'aigw_inflight_streams') === 0 && metricValue(metrics, 'aigw_inflight_requests') === 0 ? true : undefined;
    }, 2_000, 'in-flight gauges at zero');
  });
});

test('a client that leaves while its quota is being checked causes no provider call at all', async (t) => {
  const mock = await startTestMock(t);
  const inner = createMemoryLimiter(realClock);
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let admitting = false;
  // A quota store that answers only when the test says so (a slow Redis).
  const quota: QuotaLimiter = {
    admit: async (key, limits, tokens) => { admitting = true; await gate; return inner.admit(key, limits, tokens); },
    settle: (reservation, tokens) => inner.settle(reservation, tokens),
    close: () => inner.close(),
  };
  const handle = await startTestGateway(t, `
${mockProviders(mock.url, { openai: 'openai' })}
credentials:
  - { id: app, key_sha256: "${createHash('sha256').update('sk-app').digest('hex')}", quota: { requests_per_minute: 100 } }
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-after-quota } ] }
`, { apiKey: 'sk-app', overrides: { quota } });
  const controller = new AbortController();
  const pending = handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal });
  await eventually(() => (admitting ? true : undefined), 2_000, 'the quota check');
  controller.abort();
  await assert.rejects(pending, APIUserAbortError);
  // Let the gateway notice the closed socket, then let the quota check answer.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.aigw.route === 'chat'), 3_000, 'audit record');
  assert.equal(record.aigw.client_aborted, true);
  assert.equal(mock.log().filter((entry) => entry.model === 'gpt-after-quota').length, 0, 'no upstream call for a client that is gone');
});
