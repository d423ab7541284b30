/**
 * A tool call the app could not dispatch (no function name, or for Cohere no id) makes the provider's
 * answer malformed — a 502 the engine fails over on — never a dropped call or a nameless one passed off
 * as a clean answer (design §10.6), in OpenAI-family, Cohere and Ollama answers and Ollama streams.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderType, ResponseContext } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';

const context: ResponseContext = { completionId: 'chatcmpl-t', created: 1767225600, model: 'm', includeUsage: false };

const openaiAnswer = (call: unknown) => ({
  id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});
const cohereAnswer = (call: unknown) => ({
  id: 'c1', finish_reason: 'TOOL_CALL', message: { role: 'assistant', tool_calls: [call] },
  usage: { billed_units: { input_tokens: 1, output_tokens: 1 }, tokens: { input_tokens: 1, output_tokens: 1 } },
});
const ollamaAnswer = (call: unknown) => ({
  model: 'llama', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: '', tool_calls: [call] },
  done: true, done_reason: 'stop', prompt_eval_count: 1, eval_count: 1,
});

const CASES: readonly { provider: ProviderType; good: unknown; bad: readonly unknown[] }[] = [
  {
    provider: 'openai',
    good: openaiAnswer({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }),
    bad: [
      openaiAnswer({ id: 'call_1', type: 'function', function: { arguments: '{}' } }),
      openaiAnswer({ id: 'call_1', type: 'function', function: { name: '', arguments: '{}' } }),
      openaiAnswer({ id: 'call_1', type: 'function' }),
      openaiAnswer('not a call'),
    ],
  },
  {
    provider: 'cohere',
    good: cohereAnswer({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }),
    bad: [
      cohereAnswer({ type: 'function', function: { name: 'get_weather', arguments: '{}' } }),
      cohereAnswer({ id: 'call_1', type: 'function', function: { arguments: '{}' } }),
    ],
  },
  {
    provider: 'ollama',
    good: ollamaAnswer({ function: { name: 'get_weather', arguments: {} } }),
    bad: [ollamaAnswer({ function: { arguments: {} } }), ollamaAnswer({ name: 'get_weather' })],
  },
];

for (const { provider, good, bad } of CASES) {
  test(`${provider}: a readable tool call passes; one without what the app needs is a malformed answer (502, retryable)`, () => {
    const adapter = getAdapter(provider);
    const parsed = adapter.parseResponse(200, {}, JSON.stringify(good), context);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.completion.choices[0]?.message.tool_calls?.[0]?.function.name, 'get_weather');
    for (const body of bad) {
      const result = adapter.parseResponse(200, {}, JSON.stringify(body), context);
      assert.equal(result.ok, false, JSON.stringify(body));
      if (result.ok) continue;
      assert.equal(result.error.status, 502);
      assert.equal(result.error.failoverClass, 'retryable_5xx');
      assert.equal(result.error.envelope.error.code, 'upstream_malformed_response');
    }
  });
}

test('ollama stream: a tool call without a function name ends the stream with an error step, not a shorter answer', () => {
  const translator = getAdapter('ollama').createStreamTranslator(context);
  const line = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value)}\n`);
  const first = translator.push(line({ model: 'llama', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: 'Let me check' }, done: false }));
  assert.equal(first.error, undefined);
  const broken = translator.push(line({ model: 'llama', created_at: '2026-01-01T00:00:00Z', message: { role: 'assistant', content: '', tool_calls: [{ function: { arguments: {} } }] }, done: false }));
  assert.equal(broken.error?.envelope.error.code, 'upstream_malformed_response');
  assert.equal(broken.error?.failoverClass, 'retryable_5xx');
  assert.equal(broken.chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls !== undefined), false);
});
