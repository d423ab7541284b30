/**
 * OpenAI-only fields at their default values (`store: false`, `modalities: ["text"]`,
 * `service_tier: "auto"`/`"default"`) ask nothing of a provider that lacks them: the providers that
 * refuse unknown fields (Mistral among the OpenAI family) accept those values and do not forward
 * them; any other value is a 400
 * `unsupported_parameter` (or a recorded drop).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { anyAdapterTarget, chatRequest } from './native-adapter-harness.js';

const NATIVE = ['anthropic', 'bedrock', 'gemini', 'vertex-ai', 'cohere', 'ollama', 'mistral'] as const;
const DEFAULTS = [{ store: false }, { modalities: ['text'] }, { service_tier: 'auto' }, { service_tier: 'default' }];
const OTHERS = [{ store: true }, { modalities: ['text', 'audio'] }, { modalities: [] }, { service_tier: 'flex' }, { service_tier: 'priority' }];

test('default values of store, modalities and service_tier are accepted and not forwarded by the native adapters', () => {
  for (const type of NATIVE) {
    for (const fields of DEFAULTS) {
      for (const stream of [false, true]) {
        const built = getAdapter(type).buildRequest(chatRequest({ ...fields, stream } as Partial<ChatCompletionRequest>), anyAdapterTarget(type));
        assert.ok(built.ok, `${type} ${JSON.stringify(fields)}: ${built.ok ? '' : built.error.envelope.error.message}`);
        assert.deepEqual(built.dropped, []);
        for (const name of Object.keys(fields)) assert.doesNotMatch(built.request.body, new RegExp(`"${name}"`), `${type} forwarded ${name}: ${built.request.body}`);
      }
    }
  }
});

test('other values cannot be honoured: a 400 unsupported_parameter naming the field, or a recorded drop with drop_params', () => {
  for (const type of NATIVE) {
    for (const fields of OTHERS) {
      const [name] = Object.keys(fields);
      const refused = getAdapter(type).buildRequest(chatRequest(fields as Partial<ChatCompletionRequest>), anyAdapterTarget(type));
      assert.ok(!refused.ok, `${type} accepted ${JSON.stringify(fields)}`);
      assert.equal(refused.error.status, 400);
      assert.equal(refused.error.envelope.error.code, 'unsupported_parameter');
      assert.equal(refused.error.envelope.error.param, name);
      const dropped = getAdapter(type).buildRequest(chatRequest(fields as Partial<ChatCompletionRequest>), { ...anyAdapterTarget(type), dropParams: true });
      assert.ok(dropped.ok);
      assert.deepEqual(dropped.dropped.map((entry) => entry.param), [name]);
      assert.doesNotMatch(dropped.request.body, new RegExp(`"${name ?? ''}"`));
    }
  }
});

test('OpenAI-compatible targets pass the default values through as they are', () => {
  const built = getAdapter('openai').buildRequest(chatRequest({ store: false, modalities: ['text'], service_tier: 'auto' } as Partial<ChatCompletionRequest>), anyAdapterTarget('openai'));
  assert.ok(built.ok);
  assert.match(built.request.body, /"store":false/);
  assert.match(built.request.body, /"modalities":\["text"\]/);
  assert.match(built.request.body, /"service_tier":"auto"/);
});
