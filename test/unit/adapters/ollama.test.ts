import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BuildOptions, TargetContext } from '../../../runtime/adapters/contract.js';
import { ollamaAdapter } from '../../../runtime/adapters/ollama/index.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import {
  assertFixtureExchanges, assertFixtureStreams, buildError, builtBody, chatRequest, CONTEXT, makeTarget, runAllSplits,
} from './native-adapter-harness.js';

const target = (overrides: Partial<TargetContext> = {}): TargetContext =>
  makeTarget('ollama', 'llama3.1', 'http://localhost:11434', { credentials: {}, ...overrides });

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};
const hi = [{ role: 'user', content: 'Hi' }];

const mappingCases: readonly { name: string; request: ChatCompletionRequest; options?: BuildOptions; target?: Partial<TargetContext>; body: Record<string, unknown> }[] = [
  {
    name: 'system and developer messages are system messages in place; stream:false is always sent',
    request: { model: 'm', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'developer', content: 'French.' }] },
    body: { model: 'llama3.1', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'system', content: 'French.' }], stream: false },
  },
  {
    name: 'multi-turn history keeps its roles and order',
    request: { model: 'm', messages: [{ role: 'user', content: 'One' }, { role: 'assistant', content: 'Two' }, { role: 'user', content: 'Three' }] },
    body: { model: 'llama3.1', messages: [{ role: 'user', content: 'One' }, { role: 'assistant', content: 'Two' }, { role: 'user', content: 'Three' }], stream: false },
  },
  {
    name: 'a base64 data URL image goes to images without its prefix; text parts are joined',
    request: { model: 'm', messages: [{ role: 'user', content: [
      { type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }, { type: 'text', text: 'Be brief.' },
    ] }] },
    body: { model: 'llama3.1', messages: [{ role: 'user', content: 'What is this?\nBe brief.', images: ['/9j/4AAQ'] }], stream: false },
  },
  {
    name: 'tools keep OpenAI\'s shape and tool_choice auto is Ollama\'s behaviour',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'auto' }),
    body: { model: 'llama3.1', messages: hi, tools: [weatherTool], stream: false },
  },
  {
    name: 'tool_choice none is honoured by sending no tools',
    request: chatRequest({ tools: [weatherTool], tool_choice: 'none' }),
    body: { model: 'llama3.1', messages: hi, stream: false },
  },
  {
    name: 'assistant tool calls carry arguments as objects; tool results name their tool',
    request: { model: 'm', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_f":57}' },
      { role: 'tool', tool_call_id: 'call_unknown', content: 'x' },
    ] },
    body: { model: 'llama3.1', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Boston' } } }] },
      { role: 'tool', content: '{"temp_f":57}', tool_name: 'get_weather', tool_call_id: 'call_1' },
      { role: 'tool', content: 'x', tool_call_id: 'call_unknown' },
    ], stream: false },
  },
  {
    name: 'temperature, top_p, top_k, max_tokens, stop, seed and penalties go into options',
    request: chatRequest({ temperature: 0.3, top_p: 0.9, top_k: 40, max_tokens: 100, stop: 'END', seed: 42, presence_penalty: 0.5, frequency_penalty: 1.2 }),
    body: { model: 'llama3.1', messages: hi, options: { temperature: 0.3, top_p: 0.9, top_k: 40, num_predict: 100, stop: ['END'], seed: 42, presence_penalty: 0.5, frequency_penalty: 1.2 }, stream: false },
  },
  {
    name: 'max_completion_tokens wins over max_tokens',
    request: chatRequest({ max_tokens: 100, max_completion_tokens: 50 }),
    body: { model: 'llama3.1', messages: hi, options: { num_predict: 50 }, stream: false },
  },
  {
    name: 'response_format json_object becomes format "json"',
    request: chatRequest({ response_format: { type: 'json_object' } }),
    body: { model: 'llama3.1', messages: hi, format: 'json', stream: false },
  },
  {
    name: 'response_format json_schema becomes format with the schema',
    request: chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }),
    body: { model: 'llama3.1', messages: hi, format: { type: 'object', properties: { ok: { type: 'boolean' } } }, stream: false },
  },
  {
    name: 'provider defaults merge into options without overriding the request',
    request: chatRequest({ temperature: 0.3, stream: true }),
    target: { defaults: { options: { temperature: 0.9, num_ctx: 8192 }, keep_alive: '10m' } },
    body: { model: 'llama3.1', messages: hi, options: { temperature: 0.3, num_ctx: 8192 }, stream: true, keep_alive: '10m' },
  },
  {
    name: 'a prefill is sent as a final assistant message that Ollama continues',
    request: chatRequest(),
    options: { prefill: 'The answer is ' },
    body: { model: 'llama3.1', messages: [...hi, { role: 'assistant', content: 'The answer is ' }], stream: false },
  },
];

describe('ollama request mapping', () => {
  for (const testCase of mappingCases) {
    test(testCase.name, () => {
      assert.deepEqual(builtBody(ollamaAdapter.buildRequest(testCase.request, target(testCase.target), testCase.options)), testCase.body);
    });
  }

  test('the request goes to /api/chat without auth locally, with a bearer token when a key is configured', () => {
    const local = ollamaAdapter.buildRequest(chatRequest({ stream: true }), target());
    assert.ok(local.ok);
    assert.equal(local.request.url, 'http://localhost:11434/api/chat');
    assert.deepEqual(local.request.auth, { kind: 'none' });
    assert.deepEqual(local.request.stream, { framing: 'ndjson' });
    const cloud = ollamaAdapter.buildRequest(chatRequest(), target({ credentials: { api_key: literalSecret('k') } }));
    assert.ok(cloud.ok);
    assert.equal(cloud.request.auth.kind, 'bearer');
  });

  const unsupported: readonly (readonly [string, Record<string, unknown>])[] = [
    ['tool_choice', { tools: [weatherTool], tool_choice: 'required' }],
    ['tool_choice', { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } }],
    ['parallel_tool_calls', { parallel_tool_calls: false }], ['n', { n: 2 }], ['logit_bias', { logit_bias: { '1': 1 } }],
    ['logprobs', { logprobs: true }], ['user', { user: 'u' }], ['reasoning_effort', { reasoning_effort: 'low' }], ['top_k', { top_k: '40' }],
  ];
  for (const [param, extra] of unsupported) {
    test(`${param} ${JSON.stringify(extra[param])} is a 400 unsupported_parameter naming ${param} and the provider`, () => {
      const error = buildError(ollamaAdapter.buildRequest(chatRequest(extra), target()));
      assert.equal(error.status, 400);
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.equal(error.envelope.error.param, param);
      assert.match(error.envelope.error.message, /'ollama'/);
    });
  }

  test('an image URL is a 400 (Ollama takes base64 only) naming the part', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] };
    const error = buildError(ollamaAdapter.buildRequest(request, target()));
    assert.equal(error.envelope.error.param, 'messages[0].content[1]');
    assert.match(error.envelope.error.message, /base64/);
  });

  test('with drop_params, an image URL and unsupported params are dropped and recorded', () => {
    const request: ChatCompletionRequest = { model: 'm', user: 'u', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] };
    const result = ollamaAdapter.buildRequest(request, target({ dropParams: true }));
    assert.deepEqual(builtBody(result), { model: 'llama3.1', messages: [{ role: 'user', content: 'x' }], stream: false });
    assert.ok(result.ok);
    assert.deepEqual(result.dropped.map((dropped) => dropped.param), ['user', 'messages[0].content[1]']);
  });
});

describe('ollama error mapping', () => {
  const body = (error: string): string => JSON.stringify({ error });
  const cases: readonly { name: string; status: number; body: string; status2: number; failoverClass: string; code?: string | null }[] = [
    { name: '400 model is required is client_error', status: 400, body: body('model is required'), status2: 400, failoverClass: 'client_error' },
    { name: '400 over the context length is context_length', status: 400, body: body('the input length exceeds the context length'), status2: 400, failoverClass: 'context_length', code: 'context_length_exceeded' },
    { name: '404 model not found is target_unavailable, a 502 naming model_not_found', status: 404, body: body('model "llama9" not found, try pulling it first'), status2: 502, failoverClass: 'target_unavailable', code: 'upstream_target_unavailable' },
    { name: '401 from ollama.com is auth_error', status: 401, body: body('unauthorized'), status2: 502, failoverClass: 'auth_error' },
    { name: '429 is rate_limited', status: 429, body: body("you've reached your hourly usage limit"), status2: 429, failoverClass: 'rate_limited' },
    { name: '500 is retryable_5xx', status: 500, body: body('llama runner process has terminated: exit status 2'), status2: 500, failoverClass: 'retryable_5xx' },
    { name: '502 with a proxy\'s HTML body is retryable_5xx', status: 502, body: '<html>Bad Gateway</html>', status2: 502, failoverClass: 'retryable_5xx' },
    { name: '503 server busy is retryable_5xx', status: 503, body: body('server busy, please try again.  maximum pending requests exceeded'), status2: 503, failoverClass: 'retryable_5xx' },
  ];
  for (const testCase of cases) {
    test(testCase.name, () => {
      const error = ollamaAdapter.parseError(testCase.status, {}, testCase.body);
      assert.equal(error.status, testCase.status2);
      assert.equal(error.failoverClass, testCase.failoverClass);
      if (testCase.code !== undefined) assert.equal(error.envelope.error.code, testCase.code);
    });
  }
});

describe('ollama responses', () => {
  const response = (extra: Record<string, unknown>): string => JSON.stringify({
    model: 'llama3.1:8b', message: { role: 'assistant', content: 'Hi' }, done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 3, ...extra,
  });

  test('done_reason length maps to length; stop with tool calls to tool_calls; load to stop with the raw value kept', () => {
    const length = ollamaAdapter.parseResponse(200, {}, response({ done_reason: 'length' }), CONTEXT);
    assert.ok(length.ok);
    assert.equal(length.completion.choices[0]?.finish_reason, 'length');
    const load = ollamaAdapter.parseResponse(200, {}, response({ done_reason: 'load' }), CONTEXT);
    assert.ok(load.ok);
    assert.equal(load.completion.choices[0]?.finish_reason, 'stop');
    assert.equal(load.rawFinishReason, 'load');
  });

  test('tool calls without an id get a deterministic id from the completion id; arguments are serialised', () => {
    const body = response({ message: { role: 'assistant', content: '', tool_calls: [
      { function: { name: 'a', arguments: { x: 1 } } }, { function: { name: 'b', arguments: {} } },
    ] } });
    const first = ollamaAdapter.parseResponse(200, {}, body, CONTEXT);
    const second = ollamaAdapter.parseResponse(200, {}, body, CONTEXT);
    assert.ok(first.ok && second.ok);
    assert.deepEqual(first.completion.choices[0]?.message.tool_calls, [
      { id: 'call_test_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
      { id: 'call_test_1', type: 'function', function: { name: 'b', arguments: '{}' } },
    ]);
    assert.deepEqual(first, second);
    assert.equal(first.completion.choices[0]?.finish_reason, 'tool_calls');
  });

  test('missing counts are zero, the model Ollama names is kept, and an {"error"} body is an error', () => {
    const result = ollamaAdapter.parseResponse(200, {}, response({ prompt_eval_count: undefined }), CONTEXT);
    assert.ok(result.ok);
    assert.deepEqual(result.usage, { prompt_tokens: 0, completion_tokens: 3, total_tokens: 3 });
    assert.equal(result.completion.model, 'llama3.1:8b');
    const failed = ollamaAdapter.parseResponse(200, {}, '{"error":"unexpected EOF"}', CONTEXT);
    assert.ok(!failed.ok);
    assert.equal(failed.error.failoverClass, 'retryable_5xx');
  });
});

describe('ollama streams', () => {
  const line = (value: Record<string, unknown>): string => `${JSON.stringify({ model: 'llama3.1', ...value })}\n`;
  const text = (content: string): string => line({ message: { role: 'assistant', content }, done: false });
  const done = line({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 8, eval_count: 2 });

  test('every fixture translates the same whole, byte by byte and at random cuts', () => {
    assertFixtureStreams(ollamaAdapter, 'ollama');
  });

  test('every fixture answer, error and golden request matches', () => {
    assertFixtureExchanges(ollamaAdapter, 'ollama', (model) => target({ model }));
  });

  test('without include_usage no usage chunk is sent, but the done step reports usage', () => {
    const run = runAllSplits(ollamaAdapter, { ...CONTEXT, includeUsage: false }, text('Hi') + done);
    assert.ok(run.chunks.every((chunk) => !('usage' in chunk) && chunk.choices.length === 1));
    assert.deepEqual(run.usage, { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 });
  });

  test('a final line without its newline still finishes the stream', () => {
    const run = runAllSplits(ollamaAdapter, CONTEXT, text('Hi') + done.trimEnd());
    assert.equal(run.done, true);
  });

  test('a body that ends before the done line is an error step; an {"error"} line is an in-band failure', () => {
    const cut = runAllSplits(ollamaAdapter, CONTEXT, text('Hi'));
    assert.equal(cut.done, false);
    assert.equal(cut.error?.failoverClass, 'retryable_5xx');
    const failed = runAllSplits(ollamaAdapter, CONTEXT, text('Hi') + '{"error":"an error was encountered while running the model: unexpected EOF"}\n' + done);
    assert.equal(failed.done, false);
    assert.equal(failed.error?.failoverClass, 'retryable_5xx');
  });

  test('a malformed line is skipped and counted', () => {
    const run = runAllSplits(ollamaAdapter, CONTEXT, text('Hi') + '{"model":"llama3.1","message":\n' + text(' there') + done);
    assert.equal(run.malformed, 1);
    assert.equal(run.done, true);
    assert.deepEqual(run.chunks.map((chunk) => chunk.choices[0]?.delta.content).filter((content) => content), ['Hi', ' there']);
  });

  test('tool calls arrive whole: each gets an index, an id (deterministic when missing) and its arguments in one fragment', () => {
    const calls = line({ message: { role: 'assistant', content: '', tool_calls: [
      { function: { name: 'a', arguments: { x: 1 } } }, { id: 'call_srv', function: { name: 'b', arguments: {} } },
    ] }, done: false });
    const translator = ollamaAdapter.createStreamTranslator(CONTEXT);
    const step = translator.push(new TextEncoder().encode(calls + done));
    assert.equal(step.firstContent, true);
    assert.deepEqual(step.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []), [
      { index: 0, id: 'call_test_0', type: 'function', function: { name: 'a', arguments: '' } },
      { index: 0, function: { arguments: '{"x":1}' } },
      { index: 1, id: 'call_srv', type: 'function', function: { name: 'b', arguments: '' } },
      { index: 1, function: { arguments: '{}' } },
    ]);
    assert.equal(step.chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(step.done, true);
  });
});
