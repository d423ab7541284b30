/**
 * The OpenAI-compatible adapter and its nine profiles: request mapping (golden native bodies), the
 * parameter table (400 unsupported_parameter or recorded drops), auth, prefill, and the response and
 * stream normalisation every profile shares.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderAdapter, ProviderType } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { buildError, builtBody, chatRequest, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const PROFILE_TYPES: readonly ProviderType[] = ['openai', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'perplexity', 'openrouter', 'vllm'];
/** Profiles that only know `max_tokens` (max_completion_tokens is renamed). */
const MAX_TOKENS_ONLY = new Set<ProviderType>(['together', 'fireworks', 'deepseek', 'perplexity', 'openrouter']);

const BASE = 'https://provider.test/v1';
const adapterOf = (type: ProviderType): ProviderAdapter => getAdapter(type);
const target = (type: ProviderType, overrides: Parameters<typeof makeTarget>[3] = {}) => makeTarget(type, 'target-model', BASE, overrides);
const build = (type: ProviderType, request: ChatCompletionRequest, overrides: Parameters<typeof makeTarget>[3] = {}) =>
  adapterOf(type).buildRequest(request, target(type, overrides));

const WEATHER = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
} as const;

describe('request mapping, every profile', () => {
  for (const type of PROFILE_TYPES) {
    test(`${type}: POST {base_url}/chat/completions with the target model and JSON headers`, () => {
      const result = build(type, chatRequest());
      assert.ok(result.ok);
      assert.equal(result.request.method, 'POST');
      assert.equal(result.request.url, `${BASE}/chat/completions`);
      assert.deepEqual(result.request.headers, { 'content-type': 'application/json', accept: 'application/json' });
      assert.equal(result.request.stream, false);
      assert.deepEqual(builtBody(result), { model: 'target-model', messages: [{ role: 'user', content: 'Hi' }] });
    });

    test(`${type}: a trailing slash on the base URL is not doubled`, () => {
      const result = adapterOf(type).buildRequest(chatRequest(), makeTarget(type, 'm', 'http://host:8000/v1/'));
      assert.ok(result.ok);
      assert.equal(result.request.url, 'http://host:8000/v1/chat/completions');
    });

    test(`${type}: system and developer messages (developer ${type === 'openai' ? 'kept' : 'sent as system'})`, () => {
      const body = builtBody(build(type, chatRequest({
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
          { role: 'user', content: 'Hi' },
        ],
      })));
      assert.deepEqual(body['messages'], [
        { role: 'system', content: 'Be terse.' },
        { role: type === 'openai' ? 'developer' : 'system', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: 'Hi' },
      ]);
    });

    test(`${type}: multi-turn history and text+image parts (URL and data URL) pass unchanged`, () => {
      const messages = [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi! How can I help?' },
        { role: 'user', content: [
          { type: 'text', text: 'What is in these images?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ] },
      ] as const;
      assert.deepEqual(builtBody(build(type, chatRequest({ messages }))), { model: 'target-model', messages });
    });

    test(`${type}: sampling and length parameters`, () => {
      const body = builtBody(build(type, chatRequest({
        temperature: 0.3, top_p: 0.9, max_completion_tokens: 100, stop: ['\n\nUser:'], presence_penalty: 0.5, frequency_penalty: 0.1,
      })));
      const lengthField = MAX_TOKENS_ONLY.has(type) ? 'max_tokens' : 'max_completion_tokens';
      assert.deepEqual(body, {
        model: 'target-model', messages: [{ role: 'user', content: 'Hi' }],
        temperature: 0.3, top_p: 0.9, [lengthField]: 100, stop: ['\n\nUser:'], presence_penalty: 0.5, frequency_penalty: 0.1,
      });
      assert.equal(builtBody(build(type, chatRequest({ max_tokens: 64 })))['max_tokens'], 64);
    });

    test(`${type}: a stream always asks for usage upstream${type === 'perplexity' ? ' (except perplexity, which reports it unasked)' : ''}`, () => {
      const result = build(type, chatRequest({ stream: true }));
      assert.ok(result.ok);
      assert.deepEqual(result.request.stream, { framing: 'sse' });
      assert.equal(result.request.headers['accept'], 'text/event-stream');
      const body = builtBody(result);
      assert.equal(body['stream'], true);
      if (type === 'perplexity') assert.equal('stream_options' in body, false);
      else assert.deepEqual(body['stream_options'], { include_usage: true });
      const clientAsked = builtBody(build(type, chatRequest({ stream: true, stream_options: { include_usage: false, include_obfuscation: true } })));
      assert.deepEqual(clientAsked['stream_options'], type === 'perplexity' ? undefined : { include_usage: true });
    });

    test(`${type}: n > 1 is a 400 unsupported_parameter naming n and the provider; with drop_params it is dropped and recorded`, () => {
      const error = buildError(build(type, chatRequest({ n: 3 })));
      assert.equal(error.status, 400);
      assert.equal(error.failoverClass, 'client_error');
      assert.equal(error.envelope.error.param, 'n');
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.match(error.envelope.error.message, new RegExp(`'n'.*'${type}'`));
      const dropped = build(type, chatRequest({ n: 3, temperature: 1 }), { dropParams: true });
      assert.ok(dropped.ok);
      assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['n']);
      assert.equal('n' in builtBody(dropped), false);
      assert.ok(build(type, chatRequest({ n: 1 })).ok, 'n = 1 is fine');
    });

    test(`${type}: log probabilities and audio output cannot be carried back and are refused`, () => {
      assert.equal(buildError(build(type, chatRequest({ logprobs: true }))).envelope.error.param, 'logprobs');
      assert.equal(buildError(build(type, chatRequest({ top_logprobs: 2 }))).envelope.error.param, 'top_logprobs');
      assert.equal(buildError(build(type, chatRequest({ modalities: ['text', 'audio'] }))).envelope.error.param, 'modalities');
      assert.ok(build(type, chatRequest({ logprobs: false })).ok);
    });

    test(`${type}: provider defaults fill unset fields and never override the request`, () => {
      const body = builtBody(build(type, chatRequest({ temperature: 0.1 }), { defaults: { temperature: 0.9, top_k: 40 } }));
      assert.equal(body['temperature'], 0.1);
      assert.equal(body['top_k'], 40);
    });

    test(`${type}: the input request is not mutated and the body is deterministic`, () => {
      const request = structuredClone(chatRequest({ messages: [{ role: 'developer', content: 'x' }, { role: 'user', content: 'y' }], max_completion_tokens: 5, stream: true }));
      const snapshot = structuredClone(request);
      const first = build(type, Object.freeze(request));
      const second = build(type, request);
      assert.ok(first.ok && second.ok);
      assert.equal(first.request.body, second.request.body);
      assert.deepEqual(request, snapshot);
    });
  }
});

describe('tools, every profile that has them', () => {
  for (const type of PROFILE_TYPES.filter((entry) => entry !== 'perplexity')) {
    test(`${type}: tools, every tool_choice form, assistant tool calls and tool results pass unchanged`, () => {
      for (const toolChoice of ['none', 'auto', 'required', { type: 'function', function: { name: 'get_weather' } }] as const) {
        const messages = [
          { role: 'user', content: 'Weather in Boston?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } }] },
          { role: 'tool', tool_call_id: 'call_abc123', content: '{"temp_f":57}' },
        ] as const;
        const body = builtBody(build(type, chatRequest({ messages, tools: [WEATHER], tool_choice: toolChoice, parallel_tool_calls: false })));
        assert.deepEqual(body, { model: 'target-model', messages, tools: [WEATHER], tool_choice: toolChoice, parallel_tool_calls: false });
      }
    });
  }

  test('perplexity has no function calling: tools, tool_choice and parallel_tool_calls are 400s naming perplexity', () => {
    for (const [param, value] of [['tools', [WEATHER]], ['tool_choice', 'auto'], ['parallel_tool_calls', true]] as const) {
      const error = buildError(build('perplexity', chatRequest({ [param]: value })));
      assert.equal(error.envelope.error.param, param);
      assert.match(error.envelope.error.message, /'perplexity'.*function calling/);
    }
    const dropped = build('perplexity', chatRequest({ tools: [WEATHER], tool_choice: 'auto' }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['tools', 'tool_choice']);
  });
});

describe('profile-specific parameters', () => {
  const jsonObject = { type: 'json_object' } as const;
  const jsonSchema = { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } } as const;

  test('response_format json_object and json_schema pass where the provider has them', () => {
    for (const type of PROFILE_TYPES) {
      for (const format of [jsonObject, jsonSchema]) {
        const refused = (type === 'deepseek' && format === jsonSchema) || (type === 'perplexity' && format === jsonObject);
        const result = build(type, chatRequest({ response_format: format }));
        if (refused) assert.equal(buildError(result).envelope.error.param, 'response_format', `${type} ${format.type}`);
        else assert.deepEqual(builtBody(result)['response_format'], format, `${type} ${format.type}`);
      }
    }
  });

  test('seed and user pass, except perplexity (no seed)', () => {
    for (const type of PROFILE_TYPES) {
      const result = build(type, chatRequest({ seed: 42, user: 'user-123' }));
      if (type === 'perplexity') {
        assert.equal(buildError(result).envelope.error.param, 'seed');
        continue;
      }
      const body = builtBody(result);
      assert.equal(body['seed'], 42);
      assert.equal(body['user'], 'user-123');
    }
  });

  test('logit_bias is refused by groq, deepseek and perplexity and passes elsewhere', () => {
    for (const type of PROFILE_TYPES) {
      const result = build(type, chatRequest({ logit_bias: { '50256': -100 } }));
      assert.equal(result.ok, !['groq', 'deepseek', 'perplexity'].includes(type), type);
    }
  });

  test('max_tokens and max_completion_tokens together cannot be renamed onto one field: 400, or the second is dropped', () => {
    const error = buildError(build('together', chatRequest({ max_tokens: 10, max_completion_tokens: 20 })));
    assert.equal(error.envelope.error.param, 'max_completion_tokens');
    const dropped = build('together', chatRequest({ max_tokens: 10, max_completion_tokens: 20 }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['max_completion_tokens']);
    assert.equal(builtBody(dropped)['max_tokens'], 10);
    assert.ok(build('openai', chatRequest({ max_tokens: 10, max_completion_tokens: 20 })).ok, 'openai takes both');
  });

  test('unknown fields pass through to compatible servers (vLLM top_k, OpenAI reasoning_effort)', () => {
    assert.equal(builtBody(build('vllm', chatRequest({ top_k: 20 })))['top_k'], 20);
    assert.equal(builtBody(build('openai', chatRequest({ reasoning_effort: 'low' })))['reasoning_effort'], 'low');
  });
});

describe('auth', () => {
  test('bearer with the configured api_key', () => {
    const key = envSecret('GROQ_API_KEY', 'gsk_test');
    const result = build('groq', chatRequest(), { credentials: { api_key: key } });
    assert.ok(result.ok);
    assert.deepEqual(result.request.auth, { kind: 'bearer', secret: key });
    assert.doesNotMatch(JSON.stringify(result.request), /gsk_test/, 'the secret value never appears in the request description');
  });

  test('vllm sends a bearer token only when a key holds a value', () => {
    const none = build('vllm', chatRequest(), { credentials: {} });
    assert.ok(none.ok);
    assert.deepEqual(none.request.auth, { kind: 'none' });
    const unset = build('vllm', chatRequest(), { credentials: { api_key: envSecret('VLLM_API_KEY', undefined) } });
    assert.ok(unset.ok);
    assert.deepEqual(unset.request.auth, { kind: 'none' });
    const key = literalSecret('token');
    const set = build('vllm', chatRequest(), { credentials: { api_key: key } });
    assert.ok(set.ok);
    assert.deepEqual(set.request.auth, { kind: 'bearer', secret: key });
  });

  test('a hosted provider with no api_key at all fails over without a call (auth_error, not the client\'s fault)', () => {
    const error = buildError(build('openai', chatRequest(), { credentials: {} }));
    assert.equal(error.failoverClass, 'auth_error');
    assert.equal(error.status, 502);
    assert.match(error.envelope.error.message, /not a problem with your API key/);
  });
});

describe('stream continuation (prefill)', () => {
  test('vllm declares prefill and continues the final assistant message', () => {
    assert.equal(getAdapter('vllm').supportsPrefill, true);
    const result = getAdapter('vllm').buildRequest(chatRequest({ stream: true }), target('vllm'), { prefill: 'Hello the' });
    const body = builtBody(result);
    assert.deepEqual(body['messages'], [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello the' }]);
    assert.equal(body['continue_final_message'], true);
    assert.equal(body['add_generation_prompt'], false);
  });

  test('the other profiles declare no prefill; a manifest override sends a plain final assistant message', () => {
    for (const type of PROFILE_TYPES.filter((entry) => entry !== 'vllm')) assert.equal(getAdapter(type).supportsPrefill, false, type);
    const body = builtBody(getAdapter('openrouter').buildRequest(chatRequest(), target('openrouter'), { prefill: 'Partial' }));
    assert.deepEqual(body['messages'], [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Partial' }]);
    assert.equal('continue_final_message' in body, false);
  });

  test('an empty prefill changes nothing', () => {
    assert.deepEqual(builtBody(getAdapter('vllm').buildRequest(chatRequest(), target('vllm'), { prefill: '' })), builtBody(build('vllm', chatRequest())));
  });
});
