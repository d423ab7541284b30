import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { envSecret } from '../../../runtime/secrets.js';
import { replayFixtures } from './fixture-replay.js';
import { buildError, builtBody, canonicalRequest, chatRequest, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const BASE = 'https://generativelanguage.googleapis.com';
const target = (overrides: Parameters<typeof makeTarget>[3] = {}) => makeTarget('gemini', 'gemini-2.5-flash', BASE, overrides);
const build = (request: ChatCompletionRequest, overrides: Parameters<typeof makeTarget>[3] = {}) => geminiAdapter.buildRequest(request, target(overrides));
const body = (request: ChatCompletionRequest, overrides: Parameters<typeof makeTarget>[3] = {}) => builtBody(build(request, overrides));
const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\r\n\r\n`;
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('gemini request mapping', () => {
  const cases: { name: string; request: ChatCompletionRequest; expected: Record<string, unknown> }[] = [
    {
      name: 'system and developer messages join systemInstruction; user text becomes a user turn',
      request: { model: 'm', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] }, { role: 'user', content: 'Hi' }] },
      expected: { systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Use metric.' }] }, contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
    },
    {
      name: 'multi-turn history maps assistant to model',
      request: { model: 'm', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Bye' }] },
      expected: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }, { role: 'model', parts: [{ text: 'Hello!' }] }, { role: 'user', parts: [{ text: 'Bye' }] }] },
    },
    {
      name: 'an https image URL becomes fileData (mime type from the extension) and a data URL becomes inlineData',
      request: {
        model: 'm',
        messages: [{ role: 'user', content: [
          { type: 'text', text: 'Compare' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.PNG?size=2' } },
          { type: 'image_url', image_url: { url: 'https://example.com/render' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
        ] }],
      },
      expected: { contents: [{ role: 'user', parts: [
        { text: 'Compare' },
        { fileData: { fileUri: 'https://example.com/cat.PNG?size=2', mimeType: 'image/png' } },
        { fileData: { fileUri: 'https://example.com/render' } },
        { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
      ] }] },
    },
    {
      name: 'audio parts become inlineData',
      request: { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }] }] },
      expected: { contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: 'UklGR' } }] }] },
    },
    {
      name: 'assistant tool calls become functionCall parts (thought signature recovered from the id); tool results become one merged functionResponse turn',
      request: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather in Boston and Paris?' },
          { role: 'assistant', content: null, tool_calls: [
            { id: 'call_0__thought__SIG==', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
            { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } },
          ] },
          { role: 'tool', tool_call_id: 'call_0__thought__SIG==', content: '{"temp_c":14}' },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '09:00' }] },
          { role: 'user', content: 'Thanks' },
        ],
      },
      expected: { contents: [
        { role: 'user', parts: [{ text: 'Weather in Boston and Paris?' }] },
        { role: 'model', parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Boston' } }, thoughtSignature: 'SIG==' },
          { functionCall: { name: 'get_time', args: {} } },
        ] },
        { role: 'user', parts: [
          { functionResponse: { name: 'get_weather', response: { output: '{"temp_c":14}' } } },
          { functionResponse: { name: 'get_time', response: { output: '09:00' } } },
          { text: 'Thanks' },
        ] },
      ] },
    },
    {
      name: 'tools become functionDeclarations; tool_choice auto → AUTO',
      request: chatRequest({ tools: [WEATHER_TOOL], tool_choice: 'auto' }),
      expected: {
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: WEATHER_TOOL.function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      },
    },
    {
      name: 'sampling, length, stop, seed, n and penalties map into generationConfig; max_completion_tokens wins over max_tokens',
      request: chatRequest({ temperature: 0.3, top_p: 0.9, max_tokens: 10, max_completion_tokens: 20, stop: 'END', seed: 7, n: 2, presence_penalty: 0.5, frequency_penalty: -0.5 }),
      expected: {
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        generationConfig: { temperature: 0.3, topP: 0.9, maxOutputTokens: 20, stopSequences: ['END'], seed: 7, candidateCount: 2, presencePenalty: 0.5, frequencyPenalty: -0.5 },
      },
    },
    {
      name: 'response_format json_object sets the JSON mime type; text adds nothing',
      request: chatRequest({ response_format: { type: 'json_object' }, stop: ['a', 'b'] }),
      expected: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { stopSequences: ['a', 'b'], responseMimeType: 'application/json' } },
    },
    {
      name: 'response_format json_schema becomes responseSchema: $ref inlined, nullable types, additionalProperties stripped',
      request: chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        additionalProperties: false,
        properties: { place: { $ref: '#/$defs/Place' }, note: { type: ['string', 'null'] }, kind: { const: 'city' } },
        required: ['place'],
        $defs: { Place: { type: 'object', properties: { name: { type: 'string', format: 'hostname' } } } },
      } } } }),
      expected: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { responseMimeType: 'application/json', responseSchema: {
        type: 'object',
        properties: { place: { type: 'object', properties: { name: { type: 'string' } } }, note: { type: 'string', nullable: true }, kind: { enum: ['city'] } },
        required: ['place'],
      } } },
    },
  ];
  for (const { name, request, expected } of cases) {
    test(name, () => assert.deepEqual(body(request), expected));
  }

  test('each tool_choice maps to a functionCallingConfig mode', () => {
    const config = (choice: unknown) => body(chatRequest({ tools: [WEATHER_TOOL], tool_choice: choice }))['toolConfig'];
    assert.deepEqual(config('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(config('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(config({ type: 'function', function: { name: 'get_weather' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    const error = buildError(build(chatRequest({ tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'nope' } } })));
    assert.equal(error.envelope.error.param, 'tool_choice');
  });

  test('an object tool schema without properties sends no parameters (Gemini rejects an empty OBJECT)', () => {
    const tool = { type: 'function' as const, function: { name: 'ping', parameters: { type: 'object', properties: {} } } };
    assert.deepEqual(body(chatRequest({ tools: [tool] }))['tools'], [{ functionDeclarations: [{ name: 'ping' }] }]);
  });

  test('a schema keyword Gemini cannot express is a 400 naming its path, and a recursive $ref is refused', () => {
    const not = { type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: { a: { not: { type: 'string' } } } } } };
    assert.equal(buildError(build(chatRequest({ tools: [not] }))).envelope.error.param, 'tools[0].function.parameters.properties.a.not');
    const recursive = { type: 'object', properties: { node: { $ref: '#/$defs/Node' } }, $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } };
    const error = buildError(build(chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'n', schema: recursive } } })));
    assert.match(error.envelope.error.message, /recursive reference/);
    assert.equal(error.status, 400);
  });

  test('unsupported parameters are a 400 naming parameter and provider, or dropped and recorded with drop_params', () => {
    for (const [param, value] of [['user', 'u-1'], ['logit_bias', { 1: 2 }], ['parallel_tool_calls', false], ['reasoning_effort', 'low'], ['store', true]] as const) {
      const error = buildError(build(chatRequest({ [param]: value })));
      assert.equal(error.status, 400);
      assert.equal(error.envelope.error.code, 'unsupported_parameter');
      assert.equal(error.envelope.error.param, param);
      assert.match(error.envelope.error.message, /provider 'gemini'/);
    }
    const dropped = build(chatRequest({ user: 'u-1', temperature: 3 }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['user', 'temperature']);
    assert.equal(JSON.parse(dropped.request.body)['generationConfig'], undefined);
    assert.ok(build(chatRequest({ parallel_tool_calls: true })).ok);
  });

  test('an out-of-range temperature is a 400, never clamped', () => {
    assert.equal(buildError(build(chatRequest({ temperature: 2.5 }))).envelope.error.param, 'temperature');
  });

  test('n > 1 on a stream is refused (one choice per chunk stream), or dropped and recorded', () => {
    assert.equal(buildError(build(chatRequest({ n: 2, stream: true }))).envelope.error.param, 'n');
    const dropped = build(chatRequest({ n: 2, stream: true }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped, [{ param: 'n', reason: 'n > 1 is not supported with stream on Gemini' }]);
    assert.equal(JSON.parse(dropped.request.body)['generationConfig'], undefined);
  });

  test('image URLs Gemini cannot fetch are a 400 naming the part, or dropped and recorded', () => {
    const request = chatRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'ftp://host/a.png' } }, { type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }] });
    const error = buildError(build(request));
    assert.equal(error.envelope.error.param, 'messages[0].content[1]');
    const dropped = build(request, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['messages[0].content[1]', 'messages[0].content[2]']);
    assert.deepEqual(JSON.parse(dropped.request.body)['contents'], [{ role: 'user', parts: [{ text: 'x' }] }]);
  });

  test('a tool message answering an unknown tool call, or non-object arguments, is a 400', () => {
    const orphan = buildError(build({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_9', content: 'r' }] }));
    assert.equal(orphan.envelope.error.param, 'messages[1].tool_call_id');
    const badArguments = buildError(build({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] }));
    assert.equal(badArguments.envelope.error.param, 'messages[0].tool_calls[0].function.arguments');
  });

  test('provider defaults fill only what the request left unset', () => {
    const defaults = {
      safetySettings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_ONLY_HIGH' }],
      generationConfig: { topK: 40, temperature: 1 },
    };
    const native = body(chatRequest({ temperature: 0.2 }), { defaults });
    assert.deepEqual(native['safetySettings'], defaults.safetySettings);
    assert.deepEqual(native['generationConfig'], { temperature: 0.2, topK: 40 });
  });

  test('URL, auth header, api_version setting, resource paths and stream framing', () => {
    const plain = build(chatRequest());
    assert.ok(plain.ok);
    assert.equal(plain.request.url, `${BASE}/v1beta/models/gemini-2.5-flash:generateContent`);
    assert.equal(plain.request.stream, false);
    assert.equal(plain.request.auth.kind, 'header');
    assert.equal(plain.request.auth.kind === 'header' ? plain.request.auth.name : '', 'x-goog-api-key');
    assert.deepEqual(plain.request.headers, { 'content-type': 'application/json' });
    const streamed = geminiAdapter.buildRequest(chatRequest({ stream: true }), makeTarget('gemini', 'tunedModels/my-tune', BASE, { settings: { api_version: 'v1' } }));
    assert.ok(streamed.ok);
    assert.equal(streamed.request.url, `${BASE}/v1/tunedModels/my-tune:streamGenerateContent?alt=sse`);
    assert.deepEqual(streamed.request.stream, { framing: 'sse' });
  });

  test('a missing api_key is the operator\'s problem (auth_error), not the client\'s', () => {
    const error = buildError(build(chatRequest(), { credentials: {} }));
    assert.equal(error.failoverClass, 'auth_error');
    assert.equal(error.status, 502);
  });

  test('a prefill is sent as a trailing model turn', () => {
    const result = geminiAdapter.buildRequest(chatRequest(), target(), { prefill: 'Once upon' });
    assert.deepEqual(builtBody(result)['contents'], [{ role: 'user', parts: [{ text: 'Hi' }] }, { role: 'model', parts: [{ text: 'Once upon' }] }]);
    assert.equal(geminiAdapter.supportsPrefill, false);
  });
});

describe('gemini response mapping', () => {
  const parse = (response: unknown, context = CONTEXT) => geminiAdapter.parseResponse(200, {}, JSON.stringify(response), context);

  test('text parts join into content; thought parts are left out; usage counts thoughts, cached and tool-use tokens', () => {
    const result = parse({
      candidates: [{ content: { role: 'model', parts: [{ text: 'thinking…', thought: true }, { text: 'Hel' }, { text: 'lo' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 6, cachedContentTokenCount: 8, toolUsePromptTokenCount: 3, totalTokenCount: 23 },
    });
    assert.ok(result.ok);
    assert.equal(result.completion.choices[0]?.message.content, 'Hello');
    assert.deepEqual(result.usage, {
      prompt_tokens: 13, completion_tokens: 10, total_tokens: 23,
      prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 6 },
    });
    assert.equal(result.rawFinishReason, 'STOP');
  });

  test('function calls get deterministic ids in order (per response: call_<completion id>_<n>), and STOP with calls finishes as tool_calls', () => {
    const result = parse({ candidates: [{ content: { parts: [
      { text: 'Checking.' },
      { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'S1' },
      { functionCall: { name: 'b', args: {} } },
    ] }, finishReason: 'STOP' }] });
    assert.ok(result.ok);
    const message = result.completion.choices[0]?.message;
    assert.equal(message?.content, 'Checking.');
    assert.deepEqual(message?.tool_calls, [
      { id: 'call_test_0__thought__S1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
      { id: 'call_test_1', type: 'function', function: { name: 'b', arguments: '{}' } },
    ]);
    assert.equal(result.completion.choices[0]?.finish_reason, 'tool_calls');
  });

  test('finish reasons map per the master table; unknown values become stop with the raw value kept', () => {
    const finish = (reason: string) => {
      const result = parse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] });
      assert.ok(result.ok, reason);
      return [result.completion.choices[0]?.finish_reason, result.rawFinishReason];
    };
    assert.deepEqual(finish('MAX_TOKENS'), ['length', 'MAX_TOKENS']);
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']) assert.deepEqual(finish(reason), ['content_filter', reason]);
    assert.deepEqual(finish('OTHER'), ['stop', 'OTHER']);
    assert.deepEqual(finish('SOMETHING_NEW'), ['stop', 'SOMETHING_NEW']);
  });

  test('a malformed function call is an error the engine can fail over on, never a clean stop', () => {
    const result = parse({ candidates: [{ content: { parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL' }] });
    assert.ok(!result.ok);
    assert.equal(result.error.failoverClass, 'retryable_5xx');
    assert.equal(result.error.envelope.error.code, 'malformed_function_call');
  });

  test('a blocked prompt (promptFeedback.blockReason, no candidates) is an empty content_filter answer', () => {
    const result = parse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } });
    assert.ok(result.ok);
    assert.equal(result.completion.choices[0]?.finish_reason, 'content_filter');
    assert.equal(result.completion.choices[0]?.message.content, null);
    assert.equal(result.rawFinishReason, 'SAFETY');
  });

  test('several candidates become several choices', () => {
    const result = parse({ candidates: [
      { content: { parts: [{ text: 'A' }] }, finishReason: 'STOP', index: 0 },
      { content: { parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS', index: 1 },
    ] });
    assert.ok(result.ok);
    assert.deepEqual(result.completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]), [[0, 'A', 'stop'], [1, 'B', 'length']]);
  });

  test('an error status never parses as a completion: it is the translated error', () => {
    const result = geminiAdapter.parseResponse(503, {}, JSON.stringify({ error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } }), CONTEXT);
    assert.ok(!result.ok);
    assert.equal(result.error.failoverClass, 'retryable_5xx');
  });

  test('an unreadable body is a 502 the engine may fail over on', () => {
    for (const text of ['<html>', '{}']) {
      const result = geminiAdapter.parseResponse(200, {}, text, CONTEXT);
      assert.ok(!result.ok);
      assert.equal(result.error.status, 502);
      assert.equal(result.error.failoverClass, 'retryable_5xx');
    }
  });
});

describe('gemini error mapping', () => {
  const status = (code: number, canonical: string, message = 'm', details: unknown[] = []) =>
    JSON.stringify({ error: { code, message, status: canonical, details } });
  const cases: { name: string; status: number; headers?: Record<string, string>; body: string; failoverClass: string; retryAfterMs?: number; clientStatus?: number }[] = [
    { name: '429 with RetryInfo', status: 429, body: status(429, 'RESOURCE_EXHAUSTED', 'quota', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' }]), failoverClass: 'rate_limited', retryAfterMs: 2500 },
    { name: '429 with only retry-after', status: 429, headers: { 'retry-after': '3' }, body: status(429, 'RESOURCE_EXHAUSTED'), failoverClass: 'rate_limited', retryAfterMs: 3000 },
    { name: '500 INTERNAL', status: 500, body: status(500, 'INTERNAL'), failoverClass: 'retryable_5xx' },
    { name: '503 UNAVAILABLE', status: 503, body: status(503, 'UNAVAILABLE'), failoverClass: 'retryable_5xx' },
    { name: '504 DEADLINE_EXCEEDED', status: 504, body: status(504, 'DEADLINE_EXCEEDED'), failoverClass: 'retryable_5xx' },
    { name: '401 UNAUTHENTICATED', status: 401, body: status(401, 'UNAUTHENTICATED'), failoverClass: 'auth_error', clientStatus: 502 },
    { name: '403 PERMISSION_DENIED', status: 403, body: status(403, 'PERMISSION_DENIED'), failoverClass: 'auth_error', clientStatus: 502 },
    { name: '400 API_KEY_INVALID', status: 400, body: status(400, 'INVALID_ARGUMENT', 'API key not valid.', [{ reason: 'API_KEY_INVALID' }]), failoverClass: 'auth_error', clientStatus: 502 },
    { name: '400 token limit', status: 400, body: status(400, 'INVALID_ARGUMENT', 'The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).'), failoverClass: 'context_length' },
    { name: '400 other', status: 400, body: status(400, 'INVALID_ARGUMENT', 'bad field'), failoverClass: 'client_error' },
    { name: '404 NOT_FOUND', status: 404, body: status(404, 'NOT_FOUND', 'models/x is not found'), failoverClass: 'target_unavailable', clientStatus: 502 },
    { name: '400 FAILED_PRECONDITION (region)', status: 400, body: status(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'), failoverClass: 'target_unavailable', clientStatus: 502 },
    { name: '400 FAILED_PRECONDITION (billing)', status: 400, body: status(400, 'FAILED_PRECONDITION', 'Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.'), failoverClass: 'target_unavailable', clientStatus: 502 },
    { name: 'array-wrapped body', status: 503, body: `[${status(503, 'UNAVAILABLE', 'overloaded')}]`, failoverClass: 'retryable_5xx' },
    { name: 'non-JSON body', status: 502, body: '<html>Bad Gateway</html>', failoverClass: 'retryable_5xx' },
  ];
  for (const entry of cases) {
    test(`${entry.name} → ${entry.failoverClass}`, () => {
      const error = geminiAdapter.parseError(entry.status, entry.headers ?? {}, entry.body);
      assert.equal(error.failoverClass, entry.failoverClass);
      assert.equal(error.status, entry.clientStatus ?? entry.status);
      assert.equal(error.retryAfterMs, entry.retryAfterMs);
      assert.deepEqual(Object.keys(error.envelope.error), ['message', 'type', 'param', 'code']);
    });
  }

  test('a context-length rejection carries OpenAI\'s code; an auth failure never blames the client\'s key', () => {
    const context = geminiAdapter.parseError(400, {}, status(400, 'INVALID_ARGUMENT', 'The input token count (5) exceeds the maximum number of tokens allowed (4).'));
    assert.equal(context.envelope.error.code, 'context_length_exceeded');
    const auth = geminiAdapter.parseError(400, {}, status(400, 'INVALID_ARGUMENT', 'API key not valid.', [{ reason: 'API_KEY_INVALID' }]));
    assert.equal(auth.envelope.error.code, 'upstream_auth_failed');
    assert.match(auth.envelope.error.message, /not a problem with your API key/);
  });
});

describe('gemini stream translation', () => {
  const text = [
    sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 } }),
    sse({ candidates: [{ content: { role: 'model', parts: [{ text: 'lo ünïcode ✓' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 } }),
  ].join('');

  test('text streams from any byte split; running usage totals are reported once, the last one', () => {
    const run = runAllSplits(geminiAdapter, CONTEXT, text);
    assert.deepEqual(run.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? chunk.choices[0]?.finish_reason ?? 'usage'), ['', 'Hel', 'lo ünïcode ✓', 'stop', 'usage']);
    assert.deepEqual(run.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    assert.equal(run.steps.filter((step) => step.usage !== undefined).length, 1);
    assert.equal(run.done, true);
    assert.equal(run.firstContentCount, 1);
    assert.equal(run.rawFinishReason, 'STOP');
  });

  test('without include_usage the usage chunk is omitted but usage is still reported', () => {
    const run = runAllSplits(geminiAdapter, { ...CONTEXT, includeUsage: false }, text);
    assert.equal(run.chunks.some((chunk) => chunk.choices.length === 0), false);
    assert.equal(run.chunks.some((chunk) => 'usage' in chunk), false);
    assert.deepEqual(run.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  test('a malformed event is skipped and counted, not forwarded', () => {
    const run = runAllSplits(geminiAdapter, CONTEXT, `data: {not json\r\n\r\n${text}`);
    assert.equal(run.malformed, 1);
    assert.equal(run.done, true);
    assert.equal(run.chunks.length, 5);
  });

  test('parallel function calls each become one whole tool-call delta with its own index', () => {
    const run = runAllSplits(geminiAdapter, CONTEXT, sse({ candidates: [{ content: { parts: [
      { functionCall: { name: 'a', args: { q: 1 } } }, { functionCall: { name: 'b', args: {} } },
    ] }, finishReason: 'STOP' }] }));
    const calls = run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(calls, [
      { index: 0, id: 'call_test_0', type: 'function', function: { name: 'a', arguments: '{"q":1}' } },
      { index: 1, id: 'call_test_1', type: 'function', function: { name: 'b', arguments: '{}' } },
    ]);
    // No usageMetadata in this stream: the finish chunk is the last, with no usage chunk after it.
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(run.usage, undefined);
  });

  test('a body that ends before any finishReason is a truncated-stream error with the usage so far', () => {
    const run = runAllSplits(geminiAdapter, CONTEXT, sse({ candidates: [{ content: { parts: [{ text: 'Hel' }] } }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 } }));
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.deepEqual(run.usage, { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
  });

  test('an in-band error object ends the stream with the translated error', () => {
    const run = runAllSplits(geminiAdapter, CONTEXT, `${text.split('\r\n\r\n')[0]}\r\n\r\n${sse({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } })}`);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.error?.status, 503);
    assert.equal(run.done, false);
  });

  test('a blocked prompt ends as content_filter; a malformed function call ends as an error', () => {
    const blocked = runAllSplits(geminiAdapter, CONTEXT, sse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } }));
    assert.equal(blocked.chunks.at(-2)?.choices[0]?.finish_reason, 'content_filter');
    assert.equal(blocked.rawFinishReason, 'PROHIBITED_CONTENT');
    const malformed = runAllSplits(geminiAdapter, CONTEXT, sse({ candidates: [{ content: { parts: [] }, finishReason: 'MALFORMED_FUNCTION_CALL' }] }));
    assert.equal(malformed.error?.envelope.error.code, 'malformed_function_call');
    assert.equal(malformed.done, false);
  });
});

describe('gemini fixtures', () => {
  replayFixtures({
    adapter: geminiAdapter,
    provider: 'gemini',
    baseUrl: BASE,
    target: (fixture) => makeTarget('gemini', fixture.target?.model ?? 'gemini-2.5-flash', BASE, { credentials: { api_key: envSecret('GEMINI_API_KEY', 'k') } }),
  });
});
