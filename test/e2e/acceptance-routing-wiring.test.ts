/**
 * Manifest features the unit tests pin on the adapters and the engine (with fakes), checked here
 * through `serve` + `aigw mock` with the real limiter, adapters and audit writer:
 * - issue 4 item 3: `drop_params: true` drops what the target cannot honour, the request still
 *   answers, and the drop is recorded (audit `aigw.dropped_params`);
 * - issue 4 item 2: a provider entry with `type:` reuses that adapter under its own name;
 * - issue 9 item 5: a provider's `limits` feed the engine's failover — once full, the target is
 *   skipped without a call and the next candidate answers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { gatewaySuite, mockProviders, postRaw, type GatewayHandle } from './helpers/gateway-harness.js';

type Json = Record<string, unknown>;

describe('drop_params, provider type aliases and provider limits through the gateway', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { 'anthropic': 'anthropic', 'openai-eu': 'openai', 'openai-capped': 'openai' }, { 'openai-capped': 'limits: { requests_per_minute: 1 }' })}
ai_routes:
  - name: dropping
    match: { model: "claude-drop" }
    targets: [ { provider: anthropic, model: claude-drop-target } ]
    drop_params: true
  - name: strict
    match: { model: "claude-strict" }
    targets: [ { provider: anthropic, model: claude-strict-target } ]
  - name: aliased
    match: { model: "eu" }
    targets: [ { provider: openai-eu, model: gpt-eu-alias } ]
  - name: limited
    match: { model: "limited" }
    targets:
      - { provider: openai-capped, model: gpt-capped }
      - { provider: anthropic, model: claude-backup, weight: 0 }
    retry: { attempts: 0 }
`);

  const send = (model: string, extra: Json = {}, id?: string) =>
    postRaw(`${handle.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'Hello' }], ...extra }, id === undefined ? {} : { 'x-request-id': id });
  const audit = async (id: string): Promise<Json> => {
    const record = (await handle.auditRecords()).find((line) => line.http.request.id === id);
    assert.ok(record, `audit record ${id}`);
    return record as unknown as Json;
  };

  test('without drop_params a parameter Anthropic cannot honour is a 400 naming it (the control case)', async () => {
    const response = await send('claude-strict', { seed: 7 });
    assert.equal(response.status, 400);
    const envelope = JSON.parse(response.text) as { error: { code: string; param: string } };
    assert.deepEqual([envelope.error.code, envelope.error.param], ['unsupported_parameter', 'seed']);
  });

  test('with drop_params: true the parameter is dropped, the request answers, and the drop is recorded', async () => {
    const response = await send('claude-drop', { seed: 7 }, 'wiring-drop');
    assert.equal(response.status, 200, response.text);
    const upstream = mock.log().findLast((entry) => entry.model === 'claude-drop-target');
    assert.ok(upstream, 'the provider was called');
    assert.equal((upstream.body as Json)['seed'], undefined, 'seed never reached Anthropic');
    const record = await audit('wiring-drop');
    assert.deepEqual((record['aigw'] as Json)['dropped_params'], ['seed']);
  });

  test('a provider entry with type: openai is served by the OpenAI adapter under its own name', async () => {
    const response = await send('eu', {}, 'wiring-alias');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('x-aigw-provider'), 'openai-eu');
    const upstream = mock.log().findLast((entry) => entry.model === 'gpt-eu-alias');
    assert.ok(upstream?.path.startsWith('/openai/'), `the OpenAI wire format was used: ${upstream?.path}`);
    assert.equal(upstream?.headers['authorization'] !== undefined, true, 'the entry\'s key was sent');
    const record = await audit('wiring-alias');
    assert.equal((record['aigw'] as Json)['provider'], 'openai-eu');
    assert.equal((record['gen_ai'] as Json)['system'], 'openai');
  });

  test('a provider whose limits are full is skipped without a call; the next candidate answers', async () => {
    const first = await send('limited', {}, 'wiring-limit-1');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('x-aigw-provider'), 'openai-capped');
    const second = await send('limited', {}, 'wiring-limit-2');
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers.get('x-aigw-provider'), 'anthropic', 'the capped provider was passed over');
    assert.equal(mock.log().filter((entry) => entry.model === 'gpt-capped').length, 1, 'no second call to the capped provider');
    const attempts = ((await audit('wiring-limit-2'))['aigw'] as Json)['attempts'] as Json[];
    assert.deepEqual(attempts.map((attempt) => [attempt['provider'], attempt['outcome']]), [['openai-capped', 'skipped'], ['anthropic', 'success']]);
  });
});
