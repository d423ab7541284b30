import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { cohereAdapter } from '../../../runtime/adapters/cohere/index.js';
import type { TargetContext } from '../../../runtime/adapters/contract.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import {
  assertFixtureExchanges, assertFixtureStreams, buildError, builtBody, chatRequest, CONTEXT, makeTarget, runAllSplits, sseEvent,
} from './native-adapter-harness.js';

/**
 * The official SDK's wire schemas, as a referee for the bodies the adapter writes. The package does not
 * export its serialization layer, so it is loaded by file path.
 */
interface WireSchema { parse(value: unknown, options: { unrecognizedObjectKeys: 'fail' }): { ok: true } | { ok: false; errors: unknown } }
const serialization = createRequire(import.meta.url)(new URL('../../../node_modules/cohere-ai/serialization/index.js', import.meta.url).pathname) as { V2ChatRequest: WireSchema };

const target = (overrides: Partial<TargetContext> = {}): TargetContext =>
  makeTarget('cohere', 'command-a-03-2025', 'https://api.cohere.com', overrides);

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const timeTool = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
const hi = [{ role: 'user', content: 'Hi' }];

const mappingCases: readonly { name: string; request: ChatCompletionRequest; target?: Partial<TargetContext>; body: Record<string, unknown> }[] = [
  {
    name: 'system and developer messages stay in place as system messages',
    request: { model: 'm', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'developer', content: [{ type: 'text', text: 'French.' }] }] },
    body: { model: 'command-a-03-2025', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'system', content: 'French.' }], stream: false },
  },
  {
    name: 'multi-turn history keeps its roles and order',
    request: { model: 'm', messages: [{ role: 'user', content: 'One' }, { role: 'assistant', content: 'Two' }, { role: 'user', content: 'Three' }] },
    body: { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'One' }, { role: 'assistant', content: 'Two' }, { role: 'user', content: 'Three' }], stream: false },
  },
  {
    name: 'image URL and data URL parts keep OpenAI\'s shape',
    request: { model: 'm', messages: [{ role: 'user', content: [
      { type: 'text', text: 'Compare' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ] }] },
    body: { model: 'command-a-03-2025', messages: [{ role: 'user', content: [
      { type: 'text', text: 'Compare' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ] }], stream: false },
  },
  {
    name: 'tools keep OpenAI\'s shape and tool_choice auto is Cohere\'s default (omitted)',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'auto' }),
    body: { model: 'command-a-03-2025', messages: hi, tools: [weatherTool], stream: false },
  },
  {
    name: 'tool_choice required becomes REQUIRED',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'required' }),
    body: { model: 'command-a-03-2025', messages: hi, tools: [weatherTool], tool_choice: 'REQUIRED', stream: false },
  },
  {
    name: 'tool_choice none becomes NONE',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'none' }),
    body: { model: 'command-a-03-2025', messages: hi, tools: [weatherTool], tool_choice: 'NONE', stream: false },
  },
  {
    name: 'a named function narrows the tools to that one and makes the call REQUIRED',
    request: chatRequest({ tools: [weatherTool, timeTool], tool_choice: { type: 'function', function: { name: 'get_time' } } }),
    body: { model: 'command-a-03-2025', messages: hi, tools: [timeTool], tool_choice: 'REQUIRED', stream: false },
  },
  {
    name: 'strict on every tool becomes strict_tools',
    request: chatRequest({ tools: [{ type: 'function', function: { ...weatherTool.function, strict: true } }] }),
    body: { model: 'command-a-03-2025', messages: hi, tools: [weatherTool], strict_tools: true, stream: false },
  },
  {
    name: 'assistant tool calls and tool results keep their shape',
    request: { model: 'm', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_f":57}' },
    ] },
    body: { model: 'command-a-03-2025', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_f":57}' },
    ], stream: false },
  },
  {
    name: 'temperature, top_p → p, top_k → k, max_tokens, stop, seed and penalties map to Cohere\'s names',
    request: chatRequest({ temperature: 0.3, top_p: 0.75, top_k: 40, max_tokens: 100, stop: 'END', seed: 42, frequency_penalty: 0.1, presence_penalty: 0.2 }),
    body: { model: 'command-a-03-2025', messages: hi, temperature: 0.3, p: 0.75, k: 40, max_tokens: 100, stop_sequences: ['END'], seed: 42, frequency_penalty: 0.1, presence_penalty: 0.2, stream: false },
  },
  {
    name: 'max_completion_tokens wins over max_tokens',
    request: chatRequest({ max_tokens: 100, max_completion_tokens: 50, stop: ['A', 'B'] }),
    body: { model: 'command-a-03-2025', messages: hi, max_tokens: 50, stop_sequences: ['A', 'B'], stream: false },
  },
  {
    name: 'response_format json_object becomes {type: json_object}',
    request: chatRequest({ response_format: { type: 'json_object' } }),
    body: { model: 'command-a-03-2025', messages: hi, response_format: { type: 'json_object' }, stream: false },
  },
  {
    name: 'response_format json_schema becomes json_object with json_schema',
    request: chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } } }),
    body: { model: 'command-a-03-2025', messages: hi, response_format: { type: 'json_object', json_schema: { type: 'object' } }, stream: false },
  },
  {
    name: 'a stream request sets stream:true; provider defaults fill unset fields',
    request: chatRequest({ stream: true, temperature: 0.1 }),
    target: { defaults: { temperature: 0.9, safety_mode: 'STRICT' } },
    body: { model: 'command-a-03-2025', messages: hi, temperature: 0.1, stream: true, safety_mode: 'STRICT' },
  },
];

describe('cohere request mapping', () => {
  for (const testCase of mappingCases) {
    test(testCase.name, () => {
      assert.deepEqual(builtBody(cohereAdapter.buildRequest(testCase.request, target(testCase.target))), testCase.body);
    });
  }

  test('every mapped body is a V2ChatRequest by the official SDK\'s own schema (no unknown keys)', () => {
    for (const testCase of mappingCases) {
      // The SDK schema describes the body without `stream` (its chat/chatStream methods add it).
      const { stream: _stream, ...body } = builtBody(cohereAdapter.buildRequest(testCase.request, target(testCase.target)));
      const parsed = serialization.V2ChatRequest.parse(body, { unrecognizedObjectKeys: 'fail' });
      assert.ok(parsed.ok, `${testCase.name}: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
    }
  });

  test('the request goes to /v2/chat with bearer auth', () => {
    const result = cohereAdapter.buildRequest(chatRequest({ stream: true }), target());
    assert.ok(result.ok);
    assert.equal(result.request.url, 'https://api.cohere.com/v2/chat');
    assert.equal(result.request.auth.kind, 'bearer');
    assert.deepEqual(result.request.headers, { 'content-type': 'application/json' });
    assert.deepEqual(result.request.stream, { framing: 'sse' });
  });

  const unsupported: readonly (readonly [string, Record<string, unknown>])[] = [
    ['n', { n: 3 }], ['logit_bias', { logit_bias: { '1': 2 } }], ['logprobs', { logprobs: true }], ['top_logprobs', { top_logprobs: 1 }],
    ['user', { user: 'u-1' }], ['parallel_tool_calls', { parallel_tool_calls: false }], ['top_p', { top_p: 1 }],
    ['frequency_penalty', { frequency_penalty: 1.5 }], ['reasoning_effort', { reasoning_effort: 'low' }],
  ];
  for (const [param, extra] of unsupported) {
    test(`${param} it cannot honour is a 400 unsupported_parameter naming ${param} and the provider`, () => {
      const error = buildError(cohereAdapter.buildRequest(chatRequest(extra), target()));
      assert.equal(error.status, 400);
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.equal(error.envelope.error.param, param);
      assert.match(error.envelope.error.message, /'cohere'/);
    });
  }

  test('with drop_params, what it cannot honour is dropped and recorded', () => {
    const request: ChatCompletionRequest = { model: 'm', user: 'u', top_p: 1, messages: [{ role: 'user', content: [
      { type: 'text', text: 'Hi' }, { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } },
    ] }] };
    const result = cohereAdapter.buildRequest(request, target({ dropParams: true }));
    assert.deepEqual(builtBody(result), { model: 'command-a-03-2025', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false });
    assert.ok(result.ok);
    assert.deepEqual(result.dropped.map((dropped) => dropped.param), ['user', 'top_p', 'messages[0].content[1]']);
  });

  test('a named tool_choice that matches no tool is a 400', () => {
    const error = buildError(cohereAdapter.buildRequest(chatRequest({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } }), target()));
    assert.equal(error.status, 400);
    assert.equal(error.envelope.error.param, 'tool_choice.function.name');
  });

  test('a prefill is refused: Cohere cannot continue an assistant turn', () => {
    assert.equal(cohereAdapter.supportsPrefill, false);
    const error = buildError(cohereAdapter.buildRequest(chatRequest(), target(), { prefill: 'The answer' }));
    assert.equal(error.envelope.error.param, 'prefill');
  });
});

describe('cohere error mapping', () => {
  const body = (message: string): string => JSON.stringify({ message });
  const cases: readonly { name: string; status: number; headers?: Record<string, string>; body: string; status2: number; failoverClass: string; retryAfterMs?: number }[] = [
    { name: '400 too many tokens is context_length', status: 400, body: body('too many tokens: size limit exceeded by 1204 tokens. Try using shorter or fewer inputs.'), status2: 400, failoverClass: 'context_length' },
    { name: '400 other is client_error', status: 400, body: body('invalid request: message must be at least 1 token long'), status2: 400, failoverClass: 'client_error' },
    { name: '422 is client_error', status: 422, body: body('invalid value for p'), status2: 422, failoverClass: 'client_error' },
    { name: '401 is auth_error', status: 401, body: body('invalid api token'), status2: 502, failoverClass: 'auth_error' },
    { name: '498 invalid token is auth_error', status: 498, body: body('invalid token'), status2: 502, failoverClass: 'auth_error' },
    { name: '403 is auth_error', status: 403, body: body('forbidden'), status2: 502, failoverClass: 'auth_error' },
    { name: '404 (the model) is target_unavailable, a 502', status: 404, body: body("model 'nope' not found"), status2: 502, failoverClass: 'target_unavailable' },
    { name: '429 is rate_limited and honours retry-after when sent', status: 429, headers: { 'retry-after': '3' }, body: body('too many requests'), status2: 429, failoverClass: 'rate_limited', retryAfterMs: 3000 },
    { name: '499 cancelled upstream is retryable_5xx', status: 499, body: body('request cancelled'), status2: 502, failoverClass: 'retryable_5xx' },
    { name: '500 is retryable_5xx', status: 500, body: body('internal server error'), status2: 500, failoverClass: 'retryable_5xx' },
    { name: '503 with a non-JSON body is retryable_5xx', status: 503, body: 'upstream connect error', status2: 503, failoverClass: 'retryable_5xx' },
  ];
  for (const testCase of cases) {
    test(testCase.name, () => {
      const error = cohereAdapter.parseError(testCase.status, testCase.headers ?? {}, testCase.body);
      assert.equal(error.status, testCase.status2);
      assert.equal(error.failoverClass, testCase.failoverClass);
      assert.equal(error.retryAfterMs, testCase.retryAfterMs);
    });
  }
});

describe('cohere responses', () => {
  const response = (extra: Record<string, unknown>): string => JSON.stringify({
    id: 'r1', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] },
    usage: { billed_units: { input_tokens: 3, output_tokens: 1 }, tokens: { input_tokens: 300, output_tokens: 2 } }, ...extra,
  });
  for (const [raw, mapped] of [['COMPLETE', 'stop'], ['STOP_SEQUENCE', 'stop'], ['MAX_TOKENS', 'length'], ['TOOL_CALL', 'tool_calls'], ['NEW_VALUE', 'stop']] as const) {
    test(`finish_reason ${raw} maps to ${mapped}`, () => {
      const result = cohereAdapter.parseResponse(200, {}, response({ finish_reason: raw }), CONTEXT);
      assert.ok(result.ok);
      assert.equal(result.completion.choices[0]?.finish_reason, mapped);
      assert.equal(result.rawFinishReason, raw);
    });
  }
  for (const raw of ['ERROR', 'TIMEOUT']) {
    test(`finish_reason ${raw} is a failed attempt, not an answer`, () => {
      const result = cohereAdapter.parseResponse(200, {}, response({ finish_reason: raw }), CONTEXT);
      assert.ok(!result.ok);
      assert.equal(result.error.failoverClass, 'retryable_5xx');
    });
  }

  test('usage prefers tokens over billed units, falls back to billed units, and counts cached tokens', () => {
    const preferred = cohereAdapter.parseResponse(200, {}, response({ usage: { billed_units: { input_tokens: 3, output_tokens: 1 }, tokens: { input_tokens: 300, output_tokens: 2 }, cached_tokens: 256 } }), CONTEXT);
    assert.ok(preferred.ok);
    assert.deepEqual(preferred.usage, { prompt_tokens: 300, completion_tokens: 2, total_tokens: 302, prompt_tokens_details: { cached_tokens: 256 } });
    const fallback = cohereAdapter.parseResponse(200, {}, response({ usage: { billed_units: { input_tokens: 3, output_tokens: 1 } } }), CONTEXT);
    assert.ok(fallback.ok);
    assert.deepEqual(fallback.usage, { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
  });

  test('the target model is echoed (Cohere names none) and a non-JSON 200 is a 502', () => {
    const result = cohereAdapter.parseResponse(200, {}, response({}), CONTEXT);
    assert.ok(result.ok);
    assert.equal(result.completion.model, CONTEXT.model);
    const broken = cohereAdapter.parseResponse(200, {}, 'nope', CONTEXT);
    assert.ok(!broken.ok);
    assert.equal(broken.error.status, 502);
  });
});

describe('cohere streams', () => {
  const start = sseEvent('message-start', { id: 's1', type: 'message-start', delta: { message: { role: 'assistant' } } });
  const text = (value: string): string => sseEvent('content-delta', { type: 'content-delta', index: 0, delta: { message: { content: { text: value } } } });
  const end = (finish: string, extra: Record<string, unknown> = {}): string => sseEvent('message-end', { type: 'message-end', delta: { finish_reason: finish, usage: { tokens: { input_tokens: 5, output_tokens: 2 } }, ...extra } });

  test('every fixture translates the same whole, byte by byte and at random cuts', () => {
    assertFixtureStreams(cohereAdapter, 'cohere');
  });

  test('every fixture answer, error and golden request matches', () => {
    assertFixtureExchanges(cohereAdapter, 'cohere', (model) => target({ model }));
  });

  test('without include_usage no usage chunk is sent, but the step reports usage', () => {
    const run = runAllSplits(cohereAdapter, { ...CONTEXT, includeUsage: false }, start + text('Hi') + end('COMPLETE'));
    assert.ok(run.chunks.every((chunk) => !('usage' in chunk) && chunk.choices.length === 1));
    assert.deepEqual(run.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });

  test('events without an event: line and a trailing [DONE] translate the same', () => {
    const bare = (start + text('Hi') + end('COMPLETE')).replace(/^event: .*\n/gm, '') + 'data: [DONE]\n\n';
    const run = runAllSplits(cohereAdapter, CONTEXT, bare);
    assert.equal(run.done, true);
    assert.equal(run.malformed, 0);
    assert.deepEqual(run.chunks.map((chunk) => chunk.choices[0]?.delta.content), ['', 'Hi', undefined, undefined]);
  });

  test('message-end with ERROR is an error step carrying Cohere\'s message', () => {
    const run = runAllSplits(cohereAdapter, CONTEXT, start + text('Hel') + end('ERROR', { error: 'model overloaded' }));
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.match(run.error?.envelope.error.message ?? '', /model overloaded/);
  });

  test('a stream without message-end is an error step; a malformed event is skipped and counted', () => {
    const cut = runAllSplits(cohereAdapter, CONTEXT, start + text('Hi'));
    assert.equal(cut.done, false);
    assert.equal(cut.error?.failoverClass, 'retryable_5xx');
    const broken = runAllSplits(cohereAdapter, CONTEXT, start + 'event: content-delta\ndata: {"type":\n\n' + text('Hi') + end('COMPLETE'));
    assert.equal(broken.malformed, 1);
    assert.equal(broken.done, true);
  });

  test('firstContent marks the step holding the first content, and parallel tool calls keep their index', () => {
    const call = (index: number, id: string): string => sseEvent('tool-call-start', { type: 'tool-call-start', index, delta: { message: { tool_calls: { id, type: 'function', function: { name: 'f', arguments: '' } } } } });
    const args = (index: number, value: string): string => sseEvent('tool-call-delta', { type: 'tool-call-delta', index, delta: { message: { tool_calls: { function: { arguments: value } } } } });
    const translator = cohereAdapter.createStreamTranslator(CONTEXT);
    const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
    assert.equal(translator.push(encode(start + sseEvent('tool-plan-delta', { type: 'tool-plan-delta', delta: { message: { tool_plan: 'plan' } } }))).firstContent, false);
    const first = translator.push(encode(call(0, 'f_a') + args(0, '{}')));
    assert.equal(first.firstContent, true);
    const second = translator.push(encode(call(1, 'f_b') + args(1, '{"x":1}') + end('TOOL_CALL')));
    assert.equal(second.firstContent, false);
    assert.deepEqual(second.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []), [
      { index: 1, id: 'f_b', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, function: { arguments: '{"x":1}' } },
    ]);
    assert.equal(second.done, true);
  });

  test('a tool call with empty arguments streams arguments "{}" at tool-call-end (parseable, as the non-stream answer)', () => {
    const call = (index: number, id: string): string => sseEvent('tool-call-start', { type: 'tool-call-start', index, delta: { message: { tool_calls: { id, type: 'function', function: { name: 'f', arguments: '' } } } } });
    const callEnd = (index: number): string => sseEvent('tool-call-end', { type: 'tool-call-end', index });
    const run = runAllSplits(cohereAdapter, CONTEXT, start + call(0, 'f_n') + callEnd(0) + end('TOOL_CALL'));
    assert.deepEqual(run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []), [
      { index: 0, id: 'f_n', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
    ]);
    const unended = runAllSplits(cohereAdapter, CONTEXT, start + call(0, 'f_n') + end('TOOL_CALL'));
    assert.deepEqual(unended.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((delta) => delta.function?.arguments), ['', '{}']);
  });
});
