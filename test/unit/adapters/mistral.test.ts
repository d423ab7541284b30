/**
 * Mistral: request differences (random_seed, max_tokens, tool_choice any, nine-character tool-call
 * ids, no user/logit_bias/stream_options, unknown fields refused), answers (usage on the finish chunk,
 * model_length) and its `{object:"error"}` bodies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { rewriteToolCallIds } from '../../../runtime/adapters/mistral/tool-call-ids.js';
import type { Message } from '../../../runtime/openai/wire.js';
import { buildError, builtBody, chatRequest, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const mistral = getAdapter('mistral');
const target = (overrides: Parameters<typeof makeTarget>[3] = {}) => makeTarget('mistral', 'mistral-small-latest', 'https://api.mistral.ai/v1', overrides);
const build = (extra: Record<string, unknown>, overrides: Parameters<typeof makeTarget>[3] = {}) => mistral.buildRequest(chatRequest(extra), target(overrides));

describe('mistral request mapping', () => {
  test('POST {base_url}/chat/completions with bearer auth', () => {
    const result = build({});
    assert.ok(result.ok);
    assert.equal(result.request.url, 'https://api.mistral.ai/v1/chat/completions');
    assert.equal(result.request.auth.kind, 'bearer');
  });

  test('seed → random_seed, max_completion_tokens → max_tokens, tool_choice required → any; the rest pass', () => {
    const body = builtBody(build({
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      seed: 42, max_completion_tokens: 100, temperature: 0.3, top_p: 0.9, stop: ['END'], presence_penalty: 0.1, frequency_penalty: 0.2,
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'required', parallel_tool_calls: false,
    }));
    assert.deepEqual(body, {
      model: 'mistral-small-latest', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      random_seed: 42, max_tokens: 100, temperature: 0.3, top_p: 0.9, stop: ['END'], presence_penalty: 0.1, frequency_penalty: 0.2,
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' }, strict: true } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'any', parallel_tool_calls: false,
    });
  });

  test('every renamed field that collides with its native name is refused, or dropped and recorded', () => {
    const request = { seed: 1, random_seed: 2, max_tokens: 10, max_completion_tokens: 20 };
    assert.equal(buildError(build(request)).envelope.error.param, 'max_completion_tokens');
    const dropped = build(request, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['max_completion_tokens', 'seed']);
    const body = builtBody(dropped);
    assert.equal(body['random_seed'], 2);
    assert.equal(body['max_tokens'], 10);
  });

  test('other tool_choice forms pass unchanged', () => {
    for (const choice of ['auto', 'none', { type: 'function', function: { name: 'f' } }]) {
      assert.deepEqual(builtBody(build({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice }))['tool_choice'], choice);
    }
  });

  test('streams send no stream_options (usage comes unasked), even when the client set them', () => {
    const body = builtBody(build({ stream: true, stream_options: { include_usage: true } }));
    assert.equal(body['stream'], true);
    assert.equal('stream_options' in body, false);
  });

  test('user, logit_bias and fields Mistral does not know are 400s naming the parameter and mistral; drop_params drops them', () => {
    for (const [param, value] of [['user', 'u1'], ['logit_bias', { '1': 2 }], ['service_tier', 'flex'], ['store', true], ['n', 2]] as const) {
      const error = buildError(build({ [param]: value }));
      assert.equal(error.envelope.error.param, param);
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.match(error.envelope.error.message, /'mistral'/);
    }
    const dropped = build({ user: 'u1', store: true, temperature: 0.5 }, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['user', 'store']);
    assert.deepEqual(builtBody(dropped), { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5 });
  });

  test('Mistral-native fields pass (safe_prompt), from the request or the provider defaults', () => {
    assert.equal(builtBody(build({ safe_prompt: true }))['safe_prompt'], true);
    assert.equal(builtBody(build({}, { defaults: { safe_prompt: true } }))['safe_prompt'], true);
  });

  test('images (URL and data URL) and multi-turn history pass', () => {
    const messages = [
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://x.test/a.png' } }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] },
      { role: 'assistant', content: 'A cat.' },
      { role: 'user', content: 'Sure?' },
    ];
    assert.deepEqual(builtBody(build({ messages }))['messages'], messages);
  });

  test('OpenAI tool-call ids are rewritten to nine alphanumerics, consistently across the call and its result', () => {
    const body = builtBody(build({ messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
        { id: 'gSIMJiOkT', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ] },
      { role: 'tool', tool_call_id: 'call_abc123', content: '57F' },
      { role: 'tool', tool_call_id: 'gSIMJiOkT', content: '12C' },
    ] }));
    const messages = body['messages'] as Record<string, unknown>[];
    const calls = messages[1]?.['tool_calls'] as { id: string }[];
    assert.match(calls[0]?.id ?? '', /^[a-zA-Z0-9]{9}$/);
    assert.notEqual(calls[0]?.id, 'call_abc123');
    assert.equal(calls[1]?.id, 'gSIMJiOkT', 'ids Mistral issued pass unchanged');
    assert.equal(messages[2]?.['tool_call_id'], calls[0]?.id);
    assert.equal(messages[3]?.['tool_call_id'], 'gSIMJiOkT');
  });

  test('the id rewrite is deterministic and never collides within a request', () => {
    const messages: Message[] = [
      { role: 'assistant', tool_calls: Array.from({ length: 50 }, (_, index) => ({ id: `call_${index}`, type: 'function' as const, function: { name: 'f', arguments: '{}' } })) },
    ];
    const first = rewriteToolCallIds(messages);
    const second = rewriteToolCallIds(messages);
    assert.deepEqual(first, second);
    const ids = (first[0] as unknown as { tool_calls: { id: string }[] }).tool_calls.map((call) => call.id);
    assert.equal(new Set(ids).size, 50);
    assert.ok(ids.every((id) => /^[a-zA-Z0-9]{9}$/.test(id)));
  });

  test('no prefill support is declared; an explicit prefill is a final assistant message marked prefix', () => {
    assert.equal(mistral.supportsPrefill, false);
    const body = builtBody(mistral.buildRequest(chatRequest(), target(), { prefill: 'Once upon' }));
    assert.deepEqual(body['messages'], [{ role: 'user', content: 'Hi' }, { role: 'assistant', prefix: true, content: 'Once upon' }]);
  });
});

describe('mistral answers', () => {
  test('model_length finishes with length; usage on the finish chunk becomes the separate usage chunk', () => {
    const wire = [
      { id: 'm1', object: 'chat.completion.chunk', created: 1, model: 'mistral-small-latest', choices: [{ index: 0, delta: { role: 'assistant', content: 'Lo' }, finish_reason: null }] },
      { id: 'm1', object: 'chat.completion.chunk', created: 1, model: 'mistral-small-latest', choices: [{ index: 0, delta: { content: 'ng' }, finish_reason: 'model_length' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ].map((payload) => `data: ${JSON.stringify(payload)}\n\n`).join('') + 'data: [DONE]\n\n';
    const run = runAllSplits(mistral, CONTEXT, wire);
    assert.deepEqual(run.chunks.map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason ?? null]), [
      [{ role: 'assistant', content: 'Lo' }, null], [{ content: 'ng' }, null], [{}, 'length'], [undefined, null],
    ]);
    assert.deepEqual(run.chunks.at(-1)?.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    assert.equal(run.rawFinishReason, 'model_length');
  });

  test('{object:"error"} bodies keep type and code; raw_status_code is dropped', () => {
    const error = mistral.parseError(400, {}, JSON.stringify({ object: 'error', message: 'Invalid model: mistral-smol', type: 'invalid_model', param: null, code: '1500', raw_status_code: 400 }));
    assert.deepEqual(error.envelope, { error: { message: 'Invalid model: mistral-smol', type: 'invalid_model', param: null, code: '1500' } });
    assert.equal(error.failoverClass, 'client_error');
  });

  test('429 without retry headers is rate_limited without a hint', () => {
    const error = mistral.parseError(429, { 'ratelimitbysize-reset': '17' }, JSON.stringify({ object: 'error', message: 'Rate limit exceeded', type: 'rate_limited', param: null, code: '1300' }));
    assert.equal(error.failoverClass, 'rate_limited');
    assert.equal(error.retryAfterMs, undefined);
  });
});
