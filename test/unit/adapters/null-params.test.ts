/**
 * `null` for an optional parameter means "not set", as OpenAI reads it: no adapter range-checks it,
 * refuses it as unsupported, or forwards it to a provider (Anthropic and Bedrock refuse a null
 * `strict`). The nulls are removed once, in applyParamTable, where every adapter's translation starts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { applyParamTable } from '../../../runtime/adapters/param-table.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { withoutNulls } from '../../../runtime/adapters/without-nulls.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { anyAdapterTarget, chatRequest } from './native-adapter-harness.js';

/** Every parameter the request schema lets be null, set to null (the cast: the wire type omits null). */
const NULLS = {
  temperature: null, top_p: null, n: null, seed: null, stop: null, max_tokens: null, max_completion_tokens: null,
  presence_penalty: null, frequency_penalty: null, logit_bias: null, logprobs: null, top_logprobs: null, stream_options: null,
} as unknown as Partial<ChatCompletionRequest>;

const TOOLS = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} }, strict: null } }];

const target = anyAdapterTarget;

test('every adapter builds a request whose parameters are all null, and sends no null', () => {
  for (const type of PROVIDER_TYPES) {
    for (const stream of [false, true]) {
      const request = chatRequest({ ...NULLS, stream });
      const built = getAdapter(type).buildRequest(request, target(type));
      assert.ok(built.ok, `${type}: ${built.ok ? '' : built.error.envelope.error.message}`);
      assert.deepEqual(built.dropped, [], type);
      assert.doesNotMatch(built.request.body, /null/, `${type} sent ${built.request.body}`);
    }
  }
});

test('stream: null is a non-stream request (the SDK types allow it) and no adapter forwards the null', () => {
  for (const type of PROVIDER_TYPES) {
    const built = getAdapter(type).buildRequest(chatRequest({ ...NULLS, stream: null } as unknown as Partial<ChatCompletionRequest>), target(type));
    assert.ok(built.ok, `${type}: ${built.ok ? '' : built.error.envelope.error.message}`);
    assert.equal(built.request.stream, false, type);
    assert.doesNotMatch(built.request.body, /null/, `${type} sent ${built.request.body}`);
  }
});

test("a tool's strict: null is not forwarded (Anthropic and Bedrock take a boolean)", () => {
  for (const type of ['anthropic', 'bedrock', 'gemini', 'cohere', 'ollama', 'openai'] as const) {
    const built = getAdapter(type).buildRequest(chatRequest({ tools: TOOLS }), target(type));
    assert.ok(built.ok, `${type}: ${built.ok ? '' : built.error.envelope.error.message}`);
    assert.doesNotMatch(built.request.body, /"strict"/, `${type} sent ${built.request.body}`);
    assert.match(built.request.body, /lookup/);
  }
});

test('null is not set for the table: a range rule or a `when` predicate never sees it, even with drop_params', () => {
  const table = getAdapter('anthropic').params;
  for (const dropParams of [false, true]) {
    const checked = applyParamTable(chatRequest({ temperature: null, n: null, seed: null } as unknown as Partial<ChatCompletionRequest>), table, 'anthropic', dropParams);
    assert.ok(checked.ok);
    assert.deepEqual(checked.dropped, []);
    assert.deepEqual(Object.keys(checked.request).sort(), ['messages', 'model']);
  }
  // A real value is still checked: null changes nothing for the parameters that are set.
  const refused = applyParamTable(chatRequest({ temperature: 1.5, seed: null } as unknown as Partial<ChatCompletionRequest>), table, 'anthropic', false);
  assert.equal(refused.ok, false);
  assert.equal(refused.ok ? '' : refused.error.envelope.error.param, 'temperature');
});

test('withoutNulls returns the same object when there is nothing to remove, and never mutates its input', () => {
  const plain = chatRequest({ temperature: 0.2, tools: [{ type: 'function', function: { name: 'f', strict: true } }] });
  assert.equal(withoutNulls(plain), plain);
  const input = chatRequest({ ...NULLS, tools: TOOLS } as unknown as Partial<ChatCompletionRequest>);
  const snapshot = structuredClone(input);
  const cleaned = withoutNulls(input);
  assert.deepEqual(input, snapshot);
  assert.deepEqual(cleaned, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] });
});
