import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import type { BuildOptions, TargetContext } from '../../../runtime/adapters/contract.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import {
  assertFixtureExchanges, assertFixtureStreams, buildError, builtBody, canonicalRequest, chatRequest, CONTEXT, makeTarget, runAllSplits, sseEvent,
} from './native-adapter-harness.js';

const target = (overrides: Partial<TargetContext> = {}): TargetContext =>
  makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com', overrides);

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const weatherToolNative = { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } };

interface MappingCase {
  readonly name: string;
  readonly request: ChatCompletionRequest;
  readonly options?: BuildOptions;
  readonly target?: Partial<TargetContext>;
  readonly body: Record<string, unknown>;
}

const mappingCases: readonly MappingCase[] = [
  {
    name: 'system and developer messages are hoisted to system, in order',
    request: { model: 'm', messages: [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
    ] },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, system: [{ type: 'text', text: 'Be terse.' }, { type: 'text', text: 'Answer in French.' }], messages: [{ role: 'user', content: 'Hi' }] },
  },
  {
    name: 'multi-turn history alternates and consecutive same-role turns merge',
    request: { model: 'm', messages: [
      { role: 'user', content: 'One' },
      { role: 'user', content: 'Two' },
      { role: 'assistant', content: 'Three' },
      { role: 'user', content: 'Four' },
    ] },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [
      { role: 'user', content: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two' }] },
      { role: 'assistant', content: 'Three' },
      { role: 'user', content: 'Four' },
    ] },
  },
  {
    name: 'an image URL and a base64 data URL become image sources',
    request: { model: 'm', messages: [{ role: 'user', content: [
      { type: 'text', text: 'Compare' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ] }] },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: [
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    ] }] },
  },
  {
    name: 'tools map to input_schema and tool_choice auto to {type: auto}',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'auto' }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherToolNative], tool_choice: { type: 'auto' } },
  },
  {
    name: 'tool_choice required becomes any',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'required' }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherToolNative], tool_choice: { type: 'any' } },
  },
  {
    name: 'tool_choice none stays none',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'none' }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherToolNative], tool_choice: { type: 'none' } },
  },
  {
    name: 'a named function becomes {type: tool, name} and parallel_tool_calls:false disables parallel use',
    request: chatRequest({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherToolNative], tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true } },
  },
  {
    name: 'parallel_tool_calls:false without tool_choice still sends auto with parallel use disabled',
    request: chatRequest({ tools: [weatherTool], parallel_tool_calls: false }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherToolNative], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
  },
  {
    name: 'assistant tool calls become tool_use blocks and tool results one user turn of tool_result blocks',
    request: { model: 'm', messages: [
      { role: 'user', content: 'Weather in Boston and Paris?' },
      { role: 'assistant', content: null, tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
      ] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_f":57}' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'sunny' }] },
      { role: 'user', content: 'Thanks' },
    ] },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [
      { role: 'user', content: 'Weather in Boston and Paris?' },
      { role: 'assistant', content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Boston' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '{"temp_f":57}' },
        { type: 'tool_result', tool_use_id: 'call_2', content: 'sunny' },
        { type: 'text', text: 'Thanks' },
      ] },
    ] },
  },
  {
    name: 'temperature, top_p, top_k, max_tokens, stop and user map to their native fields',
    request: chatRequest({ temperature: 0.2, top_p: 0.9, top_k: 5, max_tokens: 100, stop: 'END', user: 'u-123' }),
    body: { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, top_p: 0.9, top_k: 5, stop_sequences: ['END'], metadata: { user_id: 'u-123' } },
  },
  {
    name: 'max_completion_tokens wins over max_tokens and a stop array passes as is',
    request: chatRequest({ max_tokens: 100, max_completion_tokens: 50, stop: ['A', 'B'] }),
    body: { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], stop_sequences: ['A', 'B'] },
  },
  {
    name: 'the provider defaults give max_tokens when the request has none, and fill unset native fields only',
    request: chatRequest({ temperature: 0.2 }),
    target: { defaults: { max_tokens: 1024, temperature: 0.9, top_k: 40 } },
    body: { model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2, top_k: 40 },
  },
  {
    name: 'response_format json_schema becomes output_config.format; text adds nothing',
    request: chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } }, strict: true } } }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } },
  },
  {
    name: 'response_format text and n:1 and zero penalties are honoured as is',
    request: chatRequest({ response_format: { type: 'text' }, n: 1, presence_penalty: 0, frequency_penalty: 0 }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] },
  },
  {
    name: 'a stream request sets stream:true',
    request: chatRequest({ stream: true, stream_options: { include_usage: true } }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], stream: true },
  },
  {
    name: 'a prefill is appended as a final assistant turn with trailing whitespace trimmed',
    request: chatRequest(),
    options: { prefill: 'The answer is \n' },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'The answer is' }] },
  },
  {
    name: 'a prefill after a trailing assistant message joins that turn',
    request: { model: 'm', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Well,' }] },
    options: { prefill: ' it is ' },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: [{ type: 'text', text: 'Well,' }, { type: 'text', text: ' it is' }] }] },
  },
  {
    name: 'a whitespace-only prefill adds no turn',
    request: chatRequest(),
    options: { prefill: '  \n' },
    body: { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] },
  },
];

describe('anthropic request mapping', () => {
  for (const testCase of mappingCases) {
    test(testCase.name, () => {
      const result = anthropicAdapter.buildRequest(testCase.request, target(testCase.target), testCase.options);
      assert.deepEqual(builtBody(result), testCase.body);
      // The body's members go out in the documented order (the builder assigns them one by one).
      assert.deepEqual(Object.keys(builtBody(result)), Object.keys(testCase.body));
    });
  }

  test('the request goes to /v1/messages with x-api-key auth and anthropic-version (api_version overrides it)', () => {
    const plain = anthropicAdapter.buildRequest(chatRequest(), target());
    assert.ok(plain.ok);
    assert.equal(plain.request.url, 'https://api.anthropic.com/v1/messages');
    assert.deepEqual(plain.request.headers, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
    assert.equal(plain.request.auth.kind, 'header');
    assert.equal(plain.request.auth.kind === 'header' ? plain.request.auth.name : '', 'x-api-key');
    assert.equal(plain.request.stream, false);
    const versioned = anthropicAdapter.buildRequest(chatRequest({ stream: true }), target({ settings: { api_version: '2024-01-01' } }));
    assert.ok(versioned.ok);
    assert.equal(versioned.request.headers['anthropic-version'], '2024-01-01');
    assert.deepEqual(versioned.request.stream, { framing: 'sse' });
  });

  test('building twice gives the same body and leaves the request untouched', () => {
    const request = canonicalRequest('tool-call');
    const before = structuredClone(request);
    const first = anthropicAdapter.buildRequest(request, target(), { prefill: 'x' });
    const second = anthropicAdapter.buildRequest(request, target(), { prefill: 'x' });
    assert.ok(first.ok && second.ok);
    assert.equal(first.request.body, second.request.body);
    assert.deepEqual(request, before);
  });

  const unsupported: readonly (readonly [string, Record<string, unknown>])[] = [
    ['seed', { seed: 42 }],
    ['n', { n: 2 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }],
    ['presence_penalty', { presence_penalty: 0.5 }],
    ['frequency_penalty', { frequency_penalty: -0.5 }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['temperature', { temperature: 1.5 }],
    ['reasoning_effort', { reasoning_effort: 'high' }],
    ['top_k', { top_k: 'high' }],
  ];
  for (const [param, extra] of unsupported) {
    test(`${param} it cannot honour is a 400 unsupported_parameter naming ${param} and the provider`, () => {
      const error = buildError(anthropicAdapter.buildRequest(chatRequest(extra), target()));
      assert.equal(error.status, 400);
      assert.equal(error.failoverClass, 'client_error');
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.equal(error.envelope.error.param, param);
      assert.match(error.envelope.error.message, /'anthropic'/);
    });
  }

  test('an audio part is a 400 naming the part', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }] };
    const error = buildError(anthropicAdapter.buildRequest(request, target()));
    assert.equal(error.envelope.error.param, 'messages[0].content[0]');
    assert.equal(error.envelope.error.code, 'unsupported_parameter');
  });

  test('with drop_params, what it cannot honour is dropped and recorded', () => {
    const request: ChatCompletionRequest = {
      model: 'm', seed: 7, temperature: 1.5, messages: [{ role: 'user', content: [
        { type: 'text', text: 'Hi' },
        { type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } },
      ] }],
    };
    const result = anthropicAdapter.buildRequest(request, target({ dropParams: true }));
    assert.deepEqual(builtBody(result), { model: 'claude-haiku-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] });
    assert.ok(result.ok);
    assert.deepEqual(result.dropped.map((dropped) => dropped.param), ['seed', 'temperature', 'messages[0].content[1]']);
    assert.ok(result.dropped.every((dropped) => dropped.reason.length > 0));
  });

  test('tool-call arguments that are not a JSON object are a 400 naming the call', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"broken' } }] },
    ] };
    const error = buildError(anthropicAdapter.buildRequest(request, target()));
    assert.equal(error.status, 400);
    assert.equal(error.envelope.error.param, 'messages[1].tool_calls[0].function.arguments');
  });

  test('a provider entry without api_key fails over as the operator\'s auth problem', () => {
    const error = buildError(anthropicAdapter.buildRequest(chatRequest(), target({ credentials: {} })));
    assert.equal(error.failoverClass, 'auth_error');
  });
});

describe('anthropic error mapping', () => {
  const body = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_1' });
  const cases: readonly { name: string; status: number; headers?: Record<string, string>; body: string; expect: { status: number; failoverClass: string; code?: string | null; type?: string; retryAfterMs?: number } }[] = [
    { name: '400 prompt too long is context_length', status: 400, body: body('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), expect: { status: 400, failoverClass: 'context_length', code: 'context_length_exceeded' } },
    { name: 'other 400 is client_error', status: 400, body: body('invalid_request_error', 'messages: at least one message is required'), expect: { status: 400, failoverClass: 'client_error', type: 'invalid_request_error', code: null } },
    { name: 'a 400 rejecting an assistant prefill is client_error', status: 400, body: body('invalid_request_error', 'This model does not support assistant message prefill. The conversation must end with a user message.'), expect: { status: 400, failoverClass: 'client_error' } },
    { name: '401 authentication_error is auth_error (502 for the app)', status: 401, body: body('authentication_error', 'invalid x-api-key'), expect: { status: 502, failoverClass: 'auth_error' } },
    { name: '403 permission_error is auth_error', status: 403, body: body('permission_error', 'Your API key does not have permission to use the specified resource.'), expect: { status: 502, failoverClass: 'auth_error' } },
    { name: '402 billing_error is auth_error', status: 402, body: body('billing_error', 'Your credit balance is too low.'), expect: { status: 502, failoverClass: 'auth_error' } },
    { name: '404 not_found_error (the model) is target_unavailable, a 502', status: 404, body: body('not_found_error', 'model: claude-nope'), expect: { status: 502, failoverClass: 'target_unavailable' } },
    { name: '413 from the edge with a non-JSON body is client_error', status: 413, body: '<html>Request Entity Too Large</html>', expect: { status: 413, failoverClass: 'client_error' } },
    { name: '429 is rate_limited with retry-after in ms', status: 429, headers: { 'retry-after': '7' }, body: body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), expect: { status: 429, failoverClass: 'rate_limited', retryAfterMs: 7000, code: 'rate_limit_exceeded' } },
    { name: '429 honours retry-after-ms first', status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '2' }, body: body('rate_limit_error', 'slow down'), expect: { status: 429, failoverClass: 'rate_limited', retryAfterMs: 1500 } },
    { name: '500 api_error is retryable_5xx', status: 500, body: body('api_error', 'Internal server error'), expect: { status: 500, failoverClass: 'retryable_5xx', type: 'api_error' } },
    { name: '504 timeout_error is retryable_5xx', status: 504, body: body('timeout_error', 'Request timed out'), expect: { status: 504, failoverClass: 'retryable_5xx' } },
    { name: '529 overloaded_error is retryable_5xx, surfaced as 503', status: 529, body: body('overloaded_error', 'Overloaded'), expect: { status: 503, failoverClass: 'retryable_5xx', type: 'overloaded_error' } },
  ];
  for (const testCase of cases) {
    test(testCase.name, () => {
      const error = anthropicAdapter.parseError(testCase.status, testCase.headers ?? {}, testCase.body);
      assert.equal(error.status, testCase.expect.status);
      assert.equal(error.failoverClass, testCase.expect.failoverClass);
      if (testCase.expect.code !== undefined) assert.equal(error.envelope.error.code, testCase.expect.code);
      if (testCase.expect.type !== undefined) assert.equal(error.envelope.error.type, testCase.expect.type);
      assert.equal(error.retryAfterMs, testCase.expect.retryAfterMs);
      assert.deepEqual(Object.keys(error.envelope.error).sort(), ['code', 'message', 'param', 'type']);
    });
  }
});

describe('anthropic responses', () => {
  const message = (extra: Record<string, unknown>): string => JSON.stringify({
    id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001',
    content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 2 }, ...extra,
  });

  const finishCases: readonly (readonly [string, string])[] = [
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['pause_turn', 'stop'], ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter'], ['something_new', 'stop'],
  ];
  for (const [raw, mapped] of finishCases) {
    test(`stop_reason ${raw} maps to ${mapped} and the raw value is kept`, () => {
      const result = anthropicAdapter.parseResponse(200, {}, message({ stop_reason: raw }), CONTEXT);
      assert.ok(result.ok);
      assert.equal(result.completion.choices[0]?.finish_reason, mapped);
      assert.equal(result.rawFinishReason, raw);
    });
  }

  test('cache reads and writes count as prompt tokens; reads are cached_tokens', () => {
    const result = anthropicAdapter.parseResponse(200, {}, message({ usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, output_tokens: 5 } }), CONTEXT);
    assert.ok(result.ok);
    assert.deepEqual(result.usage, { prompt_tokens: 160, completion_tokens: 5, total_tokens: 165, prompt_tokens_details: { cached_tokens: 100 } });
    assert.deepEqual(result.completion.usage, result.usage);
  });

  test('thinking blocks are left out, text blocks joined, the model and id of the message kept', () => {
    const result = anthropicAdapter.parseResponse(200, {}, message({ content: [
      { type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'text', text: 'A' }, { type: 'text', text: 'B' },
    ] }), CONTEXT);
    assert.ok(result.ok);
    assert.equal(result.completion.choices[0]?.message.content, 'AB');
    assert.equal(result.completion.model, 'claude-haiku-4-5-20251001');
    assert.equal(result.completion.id, 'msg_1');
  });

  test('a 200 body that is not a Message is a 502 retryable_5xx', () => {
    const result = anthropicAdapter.parseResponse(200, {}, '{"type":"message"', CONTEXT);
    assert.ok(!result.ok);
    assert.equal(result.error.status, 502);
    assert.equal(result.error.failoverClass, 'retryable_5xx');
  });
});

describe('anthropic streams', () => {
  const start = sseEvent('message_start', { type: 'message_start', message: { id: 'msg_s', model: 'claude-haiku-4-5', content: [], usage: { input_tokens: 12, output_tokens: 1 } } });
  const textStart = sseEvent('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  const text = (value: string): string => sseEvent('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: value } });
  const delta = sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } });
  const stop = sseEvent('message_stop', { type: 'message_stop' });

  test('every fixture translates the same whole, byte by byte and at random cuts', () => {
    assertFixtureStreams(anthropicAdapter, 'anthropic');
  });

  test('every fixture answer, error and golden request matches', () => {
    assertFixtureExchanges(anthropicAdapter, 'anthropic', (model) => target({ model }));
  });

  test('without include_usage the usage chunk and usage:null are left out, but the step reports usage', () => {
    const run = runAllSplits(anthropicAdapter, { ...CONTEXT, includeUsage: false }, start + textStart + text('Hi') + delta + stop);
    assert.ok(run.chunks.every((chunk) => !('usage' in chunk)));
    assert.ok(run.chunks.every((chunk) => chunk.choices.length === 1));
    assert.deepEqual(run.usage, { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 0 } });
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  test('firstContent marks the step with the first text delta, not message_start', () => {
    const translator = anthropicAdapter.createStreamTranslator(CONTEXT);
    const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
    assert.equal(translator.push(encode(start + textStart)).firstContent, false);
    assert.equal(translator.push(encode(text('Hi'))).firstContent, true);
    assert.equal(translator.push(encode(text(' there'))).firstContent, false);
  });

  test('an in-band overloaded_error mid-stream is an error step with a failover class', () => {
    const error = sseEvent('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + text('Hel') + error + text('ignored'));
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.error?.status, 503);
    assert.equal(run.done, false);
    assert.deepEqual(run.chunks.map((chunk) => chunk.choices[0]?.delta.content), ['', 'Hel']);
  });

  test('a stream that ends without message_stop after message_delta is finalised', () => {
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + text('Hi') + delta);
    assert.equal(run.done, true);
    assert.equal(run.error, undefined);
    assert.equal(run.rawFinishReason, 'end_turn');
    assert.equal(run.chunks.at(-1)?.usage?.total_tokens, 19);
  });

  test('an error event after message_delta (the stop reason and usage known) finalises the whole answer, as a cut there would', () => {
    const error = sseEvent('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + text('Complete.') + delta + error);
    assert.equal(run.done, true);
    assert.equal(run.error, undefined);
    assert.equal(run.rawFinishReason, 'end_turn');
    assert.equal(run.chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason, 'stop');
    assert.equal(run.usage?.total_tokens, 19);
  });

  test('a stream that ends before any stop reason is an error step, never a clean finish', () => {
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + text('Hi'));
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.ok(run.chunks.every((chunk) => chunk.choices[0]?.finish_reason == null));
  });

  test('a malformed event is skipped and counted; unknown events are ignored', () => {
    const broken = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\n\n';
    const unknown = sseEvent('future_event', { type: 'future_event', value: 1 });
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + broken + unknown + text('Hi') + delta + stop);
    assert.equal(run.malformed, 1);
    assert.equal(run.done, true);
    assert.deepEqual(run.chunks.filter((chunk) => chunk.choices[0]?.delta.content === 'Hi').length, 1);
  });

  test('tool-call indexes count tool calls, not content blocks', () => {
    const tool = (index: number, id: string): string => sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'f', input: {} } });
    const json = (index: number, partial: string): string => sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
    const toolStop = sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } });
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + textStart + text('Let me check.') + tool(1, 'toolu_a') + json(1, '{"a":1}') + tool(2, 'toolu_b') + json(2, '') + json(2, '{"b":2}') + toolStop + stop);
    const calls = run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'toolu_a', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{"a":1}' } },
      { index: 1, id: 'toolu_b', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, function: { arguments: '{"b":2}' } },
    ]);
    assert.equal(run.chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
  });

  test('a tool call without arguments streams arguments "{}" (parseable, as the non-stream answer), closed at its block stop', () => {
    const tool = (index: number, id: string, input: unknown = {}): string => sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: 'f', input } });
    const json = (index: number, partial: string): string => sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
    const blockStop = (index: number): string => sseEvent('content_block_stop', { type: 'content_block_stop', index });
    const toolStop = sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } });
    const run = runAllSplits(anthropicAdapter, CONTEXT, start + tool(0, 'toolu_n') + json(0, '') + blockStop(0) + tool(1, 'toolu_a') + json(1, '{"a":1}') + blockStop(1) + toolStop + stop);
    const calls = run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'toolu_n', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
      { index: 1, id: 'toolu_a', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, function: { arguments: '{"a":1}' } },
    ]);
    // No content_block_stop at all: the call is still closed before the finish.
    const unstopped = runAllSplits(anthropicAdapter, CONTEXT, start + tool(0, 'toolu_n') + toolStop + stop);
    const closing = unstopped.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(closing.map((call) => call.function?.arguments), ['', '{}']);
    assert.equal(unstopped.chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
    // A compatible server that sends the whole input in content_block_start: the arguments are kept.
    const whole = runAllSplits(anthropicAdapter, CONTEXT, start + tool(0, 'toolu_w', { city: 'Quito' }) + blockStop(0) + toolStop + stop);
    assert.deepEqual(whole.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function?.arguments), ['', '{"city":"Quito"}']);
  });
});
