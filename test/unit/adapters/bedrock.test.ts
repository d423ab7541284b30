import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bedrockAdapter } from '../../../runtime/adapters/bedrock/index.js';
import { createEventStreamDecoder, encodeEventStreamFrames, type EventStreamEvent } from '../../../runtime/adapters/bedrock/event-stream.js';
import type { TargetContext } from '../../../runtime/adapters/contract.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { replayFixtures, runAllByteSplits } from './fixture-replay.js';
import { buildError, builtBody, canonicalRequest, chatRequest, CONTEXT, makeTarget, providerFixtures, runStream } from './native-adapter-harness.js';

const BASE = 'https://bedrock-runtime.us-east-1.amazonaws.com';
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const KEYS = { access_key_id: literalSecret('AKIAEXAMPLE'), secret_access_key: literalSecret('secret') };
const target = (overrides: Partial<TargetContext> = {}): TargetContext =>
  makeTarget('bedrock', MODEL, BASE, { settings: { region: 'us-east-1' }, credentials: KEYS, ...overrides });
const build = (request: ChatCompletionRequest, overrides: Partial<TargetContext> = {}) => bedrockAdapter.buildRequest(request, target(overrides));
const body = (request: ChatCompletionRequest, overrides: Partial<TargetContext> = {}) => builtBody(build(request, overrides));
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const WEATHER_SPEC = { toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: WEATHER_TOOL.function.parameters } } };
const event = (type: string, payload: unknown): EventStreamEvent => ({ headers: { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload });
const concat = (frames: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
};
const wire = (events: readonly EventStreamEvent[]): Uint8Array => concat(encodeEventStreamFrames(events));

describe('bedrock request mapping', () => {
  const cases: { name: string; request: ChatCompletionRequest; expected: Record<string, unknown> }[] = [
    {
      name: 'system and developer messages become system blocks; user text a user message',
      request: { model: 'm', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'developer', content: 'Use metric.' }, { role: 'user', content: 'Hi' }] },
      expected: { system: [{ text: 'Be terse.' }, { text: 'Use metric.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
    },
    {
      name: 'multi-turn history alternates user and assistant; consecutive user messages merge',
      request: { model: 'm', messages: [{ role: 'user', content: 'Hi' }, { role: 'user', content: 'there' }, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Bye' }] },
      expected: { messages: [
        { role: 'user', content: [{ text: 'Hi' }, { text: 'there' }] },
        { role: 'assistant', content: [{ text: 'Hello!' }] },
        { role: 'user', content: [{ text: 'Bye' }] },
      ] },
    },
    {
      name: 'data-URL images become image bytes; s3:// URIs become s3Location; data-URL files become documents',
      request: { model: 'm', messages: [{ role: 'user', content: [
        { type: 'text', text: 'Look' },
        { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
        { type: 'image_url', image_url: { url: 's3://bucket/cat.webp' } },
        { type: 'file', file: { filename: 'Q3 report (final).pdf', file_data: 'data:application/pdf;base64,JVBERi0x' } },
      ] }] },
      expected: { messages: [{ role: 'user', content: [
        { text: 'Look' },
        { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
        { image: { format: 'webp', source: { s3Location: { uri: 's3://bucket/cat.webp' } } } },
        { document: { format: 'pdf', name: 'Q3 report (final)', source: { bytes: 'JVBERi0x' } } },
      ] }] },
    },
    {
      name: 'assistant tool calls become toolUse blocks; tool results become one user message of toolResult blocks; foreign ids are made valid on both sides (no tools sent: the history\'s tools are declared)',
      request: { model: 'm', messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Checking.', tool_calls: [
          { id: 'call_0__thought__a+b/c=', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
          { id: 'tooluse_2', type: 'function', function: { name: 'get_time', arguments: '' } },
        ] },
        { role: 'tool', tool_call_id: 'call_0__thought__a+b/c=', content: '{"temp_c":14}' },
        { role: 'tool', tool_call_id: 'tooluse_2', content: [{ type: 'text', text: '09:00' }] },
      ] },
      expected: { messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        { role: 'assistant', content: [
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'call_0__thought__a_b_c_', name: 'get_weather', input: { city: 'Boston' } } },
          { toolUse: { toolUseId: 'tooluse_2', name: 'get_time', input: {} } },
        ] },
        { role: 'user', content: [
          { toolResult: { toolUseId: 'call_0__thought__a_b_c_', content: [{ text: '{"temp_c":14}' }] } },
          { toolResult: { toolUseId: 'tooluse_2', content: [{ text: '09:00' }] } },
        ] },
      ], toolConfig: { tools: ['get_weather', 'get_time'].map((name) => ({ toolSpec: {
        name, description: 'Declared by the gateway because this tool appears in the conversation history.', inputSchema: { json: { type: 'object' } },
      } })) } },
    },
    {
      name: 'tools are always sent as toolSpecs; tool_choice auto → {auto:{}}',
      request: chatRequest({ tools: [WEATHER_TOOL, { type: 'function', function: { name: 'ping', strict: true } }], tool_choice: 'auto' }),
      expected: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        toolConfig: { tools: [WEATHER_SPEC, { toolSpec: { name: 'ping', inputSchema: { json: { type: 'object', properties: {} } }, strict: true } }], toolChoice: { auto: {} } },
      },
    },
    {
      name: 'max_completion_tokens wins over max_tokens; temperature, top_p and stop go to inferenceConfig',
      request: chatRequest({ max_tokens: 10, max_completion_tokens: 20, temperature: 0.5, top_p: 0.9, stop: 'END' }),
      expected: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 20, temperature: 0.5, topP: 0.9, stopSequences: ['END'] } },
    },
    {
      name: 'response_format json_schema → outputConfig.textFormat (schema as a string); reasoning_effort → effort; user → requestMetadata',
      request: chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } } }, reasoning_effort: 'high', user: 'user-42@example.com' }),
      expected: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object","properties":{"a":{"type":"string"}}}', name: 'answer' } } }, effort: 'high' },
        requestMetadata: { user: 'user-42@example.com' },
      },
    },
  ];
  for (const { name, request, expected } of cases) {
    test(name, () => assert.deepEqual(body(request), expected));
  }

  test('each tool_choice: required → any, named → tool, none → tools left out', () => {
    const config = (choice: unknown) => body(chatRequest({ tools: [WEATHER_TOOL], tool_choice: choice }))['toolConfig'];
    assert.deepEqual(config('required'), { tools: [WEATHER_SPEC], toolChoice: { any: {} } });
    assert.deepEqual(config({ type: 'function', function: { name: 'get_weather' } }), { tools: [WEATHER_SPEC], toolChoice: { tool: { name: 'get_weather' } } });
    assert.equal(config('none'), undefined);
    assert.deepEqual(config(undefined), { tools: [WEATHER_SPEC] });
    assert.equal(buildError(build(chatRequest({ tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'x' } } }))).envelope.error.param, 'tool_choice');
  });

  test('tool_choice none with tool calls in the history is a 400 (Converse needs the tools then), or dropped and recorded', () => {
    const request: ChatCompletionRequest = { model: 'm', tools: [WEATHER_TOOL], tool_choice: 'none', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ] };
    const error = buildError(build(request));
    assert.equal(error.envelope.error.param, 'tool_choice');
    assert.match(error.envelope.error.message, /provider 'bedrock'/);
    const dropped = build(request, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['tool_choice']);
    assert.deepEqual(JSON.parse(dropped.request.body)['toolConfig'], { tools: [WEATHER_SPEC] });
  });

  test('unsupported parameters are a 400 naming parameter and provider, or dropped and recorded', () => {
    const unsupported: [string, unknown][] = [
      ['seed', 1], ['n', 2], ['presence_penalty', 0.1], ['frequency_penalty', 0.1], ['logit_bias', {}], ['top_logprobs', 2],
      ['parallel_tool_calls', false], ['response_format', { type: 'json_object' }], ['reasoning_effort', 'minimal'], ['temperature', 1.5], ['metadata', {}],
    ];
    for (const [param, value] of unsupported) {
      const error = buildError(build(chatRequest({ [param]: value })));
      assert.equal(error.envelope.error.param, param, param);
      assert.equal(error.status, 400);
      assert.match(error.envelope.error.message, /provider 'bedrock'/);
    }
    const dropped = build(chatRequest({ seed: 1, n: 2, temperature: 0.3 }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['seed', 'n']);
    assert.deepEqual(JSON.parse(dropped.request.body)['inferenceConfig'], { temperature: 0.3 });
    assert.ok(build(chatRequest({ n: 1, parallel_tool_calls: true, response_format: { type: 'text' } })).ok);
  });

  test('a user value outside requestMetadata\'s character set is refused, or dropped and recorded', () => {
    assert.equal(buildError(build(chatRequest({ user: 'ünïcode' }))).envelope.error.param, 'user');
    const dropped = build(chatRequest({ user: 'ünïcode' }), { dropParams: true });
    assert.ok(dropped.ok);
    assert.equal(JSON.parse(dropped.request.body)['requestMetadata'], undefined);
  });

  test('image URLs Converse cannot fetch, audio and unknown document types are refused, or dropped and recorded', () => {
    const request = chatRequest({ messages: [{ role: 'user', content: [
      { type: 'text', text: 'x' },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
      { type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } },
      { type: 'file', file: { file_id: 'file-1' } },
    ] }] });
    const error = buildError(build(request));
    assert.equal(error.envelope.error.param, 'messages[0].content[1]');
    assert.match(error.envelope.error.message, /does not fetch image URLs/);
    const dropped = build(request, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['messages[0].content[1]', 'messages[0].content[2]', 'messages[0].content[3]', 'messages[0].content[4]']);
    assert.deepEqual(JSON.parse(dropped.request.body)['messages'], [{ role: 'user', content: [{ text: 'x' }] }]);
  });

  test('provider defaults (additionalModelRequestFields, inferenceConfig) fill what the request left unset', () => {
    const native = body(chatRequest({ temperature: 0.2 }), { defaults: { additionalModelRequestFields: { top_k: 40 }, inferenceConfig: { temperature: 1, maxTokens: 1024 } } });
    assert.deepEqual(native['additionalModelRequestFields'], { top_k: 40 });
    assert.deepEqual(native['inferenceConfig'], { temperature: 0.2, maxTokens: 1024 });
  });

  test('the model id is path-encoded in the URL; streams use converse-stream with event-stream framing', () => {
    const plain = build(chatRequest());
    assert.ok(plain.ok);
    assert.equal(plain.request.url, `${BASE}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`);
    assert.equal(plain.request.stream, false);
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0';
    const streamed = bedrockAdapter.buildRequest(chatRequest({ stream: true }), target({ model: arn }));
    assert.ok(streamed.ok);
    assert.equal(streamed.request.url, `${BASE}/model/${encodeURIComponent(arn)}/converse-stream`);
    assert.ok(streamed.request.url.includes('%2Fus.anthropic'));
    assert.deepEqual(streamed.request.stream, { framing: 'aws-eventstream' });
  });

  test('auth: SigV4 (service bedrock, the entry region, session token only when set) or a Bedrock API key as bearer', () => {
    const signed = build(chatRequest(), { credentials: { ...KEYS, session_token: envSecret('AWS_SESSION_TOKEN', undefined) } });
    assert.ok(signed.ok);
    assert.deepEqual(signed.request.auth, { kind: 'sigv4', service: 'bedrock', region: 'us-east-1', accessKeyId: KEYS.access_key_id, secretAccessKey: KEYS.secret_access_key });
    const temporary = build(chatRequest(), { credentials: { ...KEYS, session_token: literalSecret('token') } });
    assert.ok(temporary.ok && temporary.request.auth.kind === 'sigv4' && temporary.request.auth.sessionToken !== undefined);
    const apiKey = literalSecret('ABSK-key');
    const bearer = build(chatRequest(), { credentials: { ...KEYS, api_key: apiKey } });
    assert.ok(bearer.ok);
    assert.deepEqual(bearer.request.auth, { kind: 'bearer', secret: apiKey });
    const unsetKey = build(chatRequest(), { credentials: { ...KEYS, api_key: envSecret('AWS_BEARER_TOKEN_BEDROCK', undefined) } });
    assert.ok(unsetKey.ok);
    assert.equal(unsetKey.request.auth.kind, 'sigv4');
  });

  test('the region comes from settings or the base URL; without one, or without credentials, the build fails over', () => {
    const fromUrl = build(chatRequest(), { settings: {}, baseUrl: 'https://bedrock-runtime.eu-west-1.amazonaws.com' });
    assert.ok(fromUrl.ok && fromUrl.request.auth.kind === 'sigv4');
    assert.equal(fromUrl.request.auth.kind === 'sigv4' ? fromUrl.request.auth.region : '', 'eu-west-1');
    const templated = build(chatRequest(), { settings: { region: 'ap-south-1' }, baseUrl: 'https://bedrock-runtime.{region}.amazonaws.com' });
    assert.ok(templated.ok);
    assert.ok(templated.request.url.startsWith('https://bedrock-runtime.ap-south-1.amazonaws.com/model/'));
    assert.equal(buildError(build(chatRequest(), { settings: {}, baseUrl: 'http://127.0.0.1:9000/bedrock' })).failoverClass, 'auth_error');
    assert.equal(buildError(build(chatRequest(), { credentials: {} })).failoverClass, 'auth_error');
  });

  test('a prefill is sent as a trailing assistant message', () => {
    const native = builtBody(bedrockAdapter.buildRequest(chatRequest(), target(), { prefill: 'Once upon' }));
    assert.deepEqual(native['messages'], [{ role: 'user', content: [{ text: 'Hi' }] }, { role: 'assistant', content: [{ text: 'Once upon' }] }]);
    assert.equal(bedrockAdapter.supportsPrefill, false);
  });
});

describe('bedrock response mapping', () => {
  const parse = (response: unknown) => bedrockAdapter.parseResponse(200, {}, JSON.stringify(response), CONTEXT);

  test('stop reasons map per the master table, the raw value kept', () => {
    const table: [string, string][] = [
      ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool_calls'], ['guardrail_intervened', 'content_filter'], ['content_filtered', 'content_filter'], ['something_new', 'stop'],
    ];
    for (const [raw, expected] of table) {
      const result = parse({ output: { message: { role: 'assistant', content: [{ text: 'x' }] } }, stopReason: raw, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } });
      assert.ok(result.ok, raw);
      assert.equal(result.completion.choices[0]?.finish_reason, expected, raw);
      assert.equal(result.rawFinishReason, raw);
    }
  });

  test('a malformed tool use is an error the engine can fail over on, never a clean stop', () => {
    const result = parse({ output: { message: { role: 'assistant', content: [] } }, stopReason: 'malformed_tool_use' });
    assert.ok(!result.ok);
    assert.equal(result.error.failoverClass, 'retryable_5xx');
    assert.equal(result.error.envelope.error.code, 'malformed_tool_use');
  });

  test('usage counts cache reads and writes in the prompt and reports cached tokens', () => {
    const result = parse({
      output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'hmm' } } }, { text: 'Hi' }] } },
      stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadInputTokens: 100, cacheWriteInputTokens: 20 },
    });
    assert.ok(result.ok);
    assert.equal(result.completion.choices[0]?.message.content, 'Hi');
    assert.deepEqual(result.usage, { prompt_tokens: 130, completion_tokens: 5, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } });
  });

  test('a Converse answer without usage leaves the usage unknown: none in the result, no usage field in the completion', () => {
    for (const usage of [undefined, {}, { totalTokens: 'n/a' }]) {
      const result = parse({ output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } }, stopReason: 'end_turn', ...(usage === undefined ? {} : { usage }) });
      assert.ok(result.ok);
      assert.equal(result.usage, undefined, JSON.stringify(usage));
      assert.equal('usage' in result, false);
      assert.equal('usage' in result.completion, false);
      assert.equal(result.completion.choices[0]?.message.content, 'Hi');
    }
  });

  test('an error status never parses as a completion: it is the translated error', () => {
    const result = bedrockAdapter.parseResponse(429, { 'x-amzn-errortype': 'ThrottlingException' }, '{"message":"slow down"}', CONTEXT);
    assert.ok(!result.ok);
    assert.equal(result.error.failoverClass, 'rate_limited');
  });

  test('an unreadable body is a 502 the engine may fail over on', () => {
    const result = bedrockAdapter.parseResponse(200, {}, '{"output":{}}', CONTEXT);
    assert.ok(!result.ok);
    assert.equal(result.error.status, 502);
  });
});

describe('bedrock error mapping', () => {
  const type = (name: string) => ({ 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  const cases: { name: string; status: number; headers: Record<string, string>; body: unknown; failoverClass: string; clientStatus?: number; code?: string }[] = [
    { name: 'ThrottlingException', status: 429, headers: type('ThrottlingException'), body: { message: 'Too many requests' }, failoverClass: 'rate_limited', code: 'ThrottlingException' },
    { name: 'ServiceQuotaExceededException', status: 400, headers: type('ServiceQuotaExceededException'), body: { message: 'quota' }, failoverClass: 'rate_limited' },
    { name: 'ModelNotReadyException', status: 429, headers: type('ModelNotReadyException'), body: { message: 'loading' }, failoverClass: 'retryable_5xx' },
    { name: 'InternalServerException', status: 500, headers: type('InternalServerException'), body: { message: 'oops' }, failoverClass: 'retryable_5xx' },
    { name: 'ServiceUnavailableException', status: 503, headers: type('ServiceUnavailableException'), body: { message: 'busy' }, failoverClass: 'retryable_5xx' },
    { name: 'ModelTimeoutException', status: 408, headers: type('ModelTimeoutException'), body: { message: 'timeout' }, failoverClass: 'retryable_5xx' },
    { name: 'ModelErrorException', status: 424, headers: type('ModelErrorException'), body: { message: 'model failed' }, failoverClass: 'retryable_5xx' },
    { name: 'AccessDeniedException', status: 403, headers: type('AccessDeniedException'), body: { message: 'no access' }, failoverClass: 'auth_error', clientStatus: 502, code: 'upstream_auth_failed' },
    { name: 'UnrecognizedClientException', status: 403, headers: { 'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/' }, body: { message: 'The security token included in the request is invalid.' }, failoverClass: 'auth_error', clientStatus: 502 },
    { name: 'signature error named in the body __type', status: 403, headers: {}, body: { __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'signature mismatch' }, failoverClass: 'auth_error', clientStatus: 502 },
    { name: 'ValidationException about input length', status: 400, headers: type('ValidationException'), body: { message: 'Input is too long for requested model.' }, failoverClass: 'context_length', code: 'context_length_exceeded' },
    { name: 'ValidationException from the model provider', status: 400, headers: type('ValidationException'), body: { message: 'prompt is too long: 210000 tokens > 200000 maximum' }, failoverClass: 'context_length' },
    { name: 'other ValidationException', status: 400, headers: type('ValidationException'), body: { message: 'bad field' }, failoverClass: 'client_error', code: 'ValidationException' },
    { name: 'ResourceNotFoundException', status: 404, headers: type('ResourceNotFoundException'), body: { message: 'no such model' }, failoverClass: 'target_unavailable', clientStatus: 502, code: 'upstream_target_unavailable' },
    { name: 'ValidationException: an invalid model id', status: 400, headers: type('ValidationException'), body: { message: 'The provided model identifier is invalid.' }, failoverClass: 'target_unavailable', clientStatus: 502, code: 'upstream_target_unavailable' },
    { name: 'ValidationException: a model that needs an inference profile', status: 400, headers: type('ValidationException'), body: { message: "Invocation of model ID anthropic.claude-sonnet-4-20250514-v1:0 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model." }, failoverClass: 'target_unavailable', clientStatus: 502 },
    { name: 'an unnamed 503 with retry-after', status: 503, headers: { 'retry-after': '2' }, body: '<html>', failoverClass: 'retryable_5xx' },
  ];
  for (const entry of cases) {
    test(`${entry.name} → ${entry.failoverClass}`, () => {
      const error = bedrockAdapter.parseError(entry.status, entry.headers, typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body));
      assert.equal(error.failoverClass, entry.failoverClass);
      assert.equal(error.status, entry.clientStatus ?? entry.status);
      if (entry.code !== undefined) assert.equal(error.envelope.error.code, entry.code);
    });
  }

  test('retry-after is honoured when present; the auth message never blames the client\'s key', () => {
    assert.equal(bedrockAdapter.parseError(503, { 'retry-after': '2' }, '').retryAfterMs, 2000);
    assert.match(bedrockAdapter.parseError(403, type('AccessDeniedException'), '{"message":"x"}').envelope.error.message, /not a problem with your API key/);
  });
});

describe('bedrock event-stream decoding', () => {
  const frames = encodeEventStreamFrames([
    event('messageStart', { role: 'assistant', p: 'abc' }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello ✓' }, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGH' }),
  ]);

  test('frames split anywhere, including inside the 12-byte prelude, decode to the same frames', () => {
    const bytes = concat(frames);
    for (const cut of [1, 5, 11, 12, 13, (frames[0]?.length ?? 0) - 1, (frames[0]?.length ?? 0) + 7]) {
      const decoder = createEventStreamDecoder();
      const units = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut)), ...decoder.end()];
      assert.deepEqual(units.map((unit) => (unit.type === 'frame' ? unit.frame.headers[':event-type'] : unit.type)), ['messageStart', 'contentBlockDelta'], `cut at ${cut}`);
    }
  });

  test('a frame with a bad CRC is one framing error and nothing after it is read', () => {
    const corrupt = concat(frames);
    const crcIndex = (frames[0]?.length ?? 0) - 6;
    corrupt[crcIndex] = (corrupt[crcIndex] ?? 0) ^ 0xff;
    const decoder = createEventStreamDecoder();
    const units = [...decoder.push(corrupt), ...decoder.push(concat(frames)), ...decoder.end()];
    assert.equal(units.length, 1);
    assert.equal(units[0]?.type, 'framing-error');
  });

  test('an impossible prelude length is a framing error at once; a body ending mid-frame is one at the end', () => {
    const bogus = new Uint8Array(12);
    new DataView(bogus.buffer).setUint32(0, 8);
    assert.equal(createEventStreamDecoder().push(bogus)[0]?.type, 'framing-error');
    const decoder = createEventStreamDecoder();
    assert.deepEqual(decoder.push(concat(frames).subarray(0, 30)), []);
    assert.equal(decoder.end()[0]?.type, 'framing-error');
  });
});

describe('bedrock stream translation', () => {
  const text = [
    event('messageStart', { role: 'assistant', p: 'ab' }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' }, p: 'abcdef' }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'lo ✓' } }),
    event('contentBlockStop', { contentBlockIndex: 0 }),
    event('messageStop', { stopReason: 'end_turn', p: 'abc' }),
    event('metadata', { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7, cacheReadInputTokens: 3 }, metrics: { latencyMs: 100 } }),
  ];

  test('text streams from any byte split; the finish and usage chunks come after metadata', () => {
    const run = runAllByteSplits(bedrockAdapter, CONTEXT, wire(text));
    assert.deepEqual(run.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? chunk.choices[0]?.finish_reason ?? 'usage'), ['', 'Hel', 'lo ✓', 'stop', 'usage']);
    assert.deepEqual(run.usage, { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10, prompt_tokens_details: { cached_tokens: 3 } });
    assert.equal(run.done, true);
    assert.equal(run.firstContentCount, 1);
    assert.equal(run.rawFinishReason, 'end_turn');
  });

  test('without include_usage the usage chunk is omitted but usage is still reported', () => {
    const run = runAllByteSplits(bedrockAdapter, { ...CONTEXT, includeUsage: false }, wire(text));
    assert.equal(run.chunks.some((chunk) => chunk.choices.length === 0 || 'usage' in chunk), false);
    assert.equal(run.usage?.total_tokens, 10);
  });

  test('a payload that is not JSON is skipped and counted; an argument fragment for an unknown block too', () => {
    const broken: EventStreamEvent = { headers: text[1]?.headers ?? {}, payload: '{not json' };
    const orphan = event('contentBlockDelta', { contentBlockIndex: 4, delta: { toolUse: { input: '{}' } } });
    const run = runAllByteSplits(bedrockAdapter, CONTEXT, wire([text[0] as EventStreamEvent, broken, orphan, ...text.slice(1)]));
    assert.equal(run.malformed, 2);
    assert.equal(run.done, true);
    assert.equal(run.chunks.length, 5);
  });

  test('a tool call without input streams arguments "{}" at its block stop (parseable, as the non-stream answer)', () => {
    const events = [
      text[0] as EventStreamEvent,
      event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_n', name: 'get_time' } } }),
      event('contentBlockStop', { contentBlockIndex: 0 }),
      event('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_a', name: 'get_weather' } } }),
      event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Lima"}' } } }),
      event('contentBlockStop', { contentBlockIndex: 1 }),
      event('messageStop', { stopReason: 'tool_use' }),
      event('metadata', { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }),
    ];
    const run = runAllByteSplits(bedrockAdapter, CONTEXT, wire(events));
    assert.deepEqual(run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []), [
      { index: 0, id: 'tooluse_n', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 0, function: { arguments: '{}' } },
      { index: 1, id: 'tooluse_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, function: { arguments: '{"city":"Lima"}' } },
    ]);
    // Without the block stop, the call is closed before the finish.
    const unstopped = runAllByteSplits(bedrockAdapter, CONTEXT, wire([events[0], events[1], events[6], events[7]] as EventStreamEvent[]));
    assert.deepEqual(unstopped.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function?.arguments), ['', '{}']);
    assert.equal(unstopped.chunks.find((chunk) => chunk.choices[0]?.finish_reason != null)?.choices[0]?.finish_reason, 'tool_calls');
  });

  test('a bad CRC mid-stream is a stream error step, not a crash', () => {
    const bytes = wire(text);
    const second = encodeEventStreamFrames([text[0] as EventStreamEvent])[0]?.length ?? 0;
    bytes[second + 20] = (bytes[second + 20] ?? 0) ^ 0x01;
    const run = runAllByteSplits(bedrockAdapter, CONTEXT, bytes);
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.error?.envelope.error.code, 'event_stream_framing');
  });

  test('exception frames are in-band errors with the failover class of their exception', () => {
    const exception = (name: string, message: string): EventStreamEvent => ({ headers: { ':exception-type': name, ':content-type': 'application/json', ':message-type': 'exception' }, payload: { message } });
    const table: [string, string, number][] = [
      ['throttlingException', 'rate_limited', 429], ['modelStreamErrorException', 'retryable_5xx', 424], ['serviceUnavailableException', 'retryable_5xx', 503],
      ['internalServerException', 'retryable_5xx', 500], ['validationException', 'client_error', 400],
    ];
    for (const [name, failoverClass, status] of table) {
      const run = runAllByteSplits(bedrockAdapter, CONTEXT, wire([text[0] as EventStreamEvent, text[1] as EventStreamEvent, exception(name, 'it broke'), ...text.slice(2)]));
      assert.equal(run.error?.failoverClass, failoverClass, name);
      assert.equal(run.error?.status, status, name);
      assert.equal(run.error?.envelope.error.message, 'it broke');
      assert.equal(run.done, false);
      assert.equal(run.chunks.length, 2, 'nothing after the exception is forwarded');
    }
  });

  test('a body ending after messageStop but before metadata is finalised with its usage unknown, never 0; one ending earlier is truncated', () => {
    // metadata is the event that carries the usage: without it the answer is complete but uncounted.
    const finished = runAllByteSplits(bedrockAdapter, CONTEXT, wire(text.slice(0, 5)));
    assert.equal(finished.done, true);
    assert.equal(finished.error, undefined);
    assert.equal(finished.chunks.at(-1)?.choices[0]?.finish_reason, 'stop', 'the finish chunk is the last: no usage chunk, even with include_usage');
    assert.equal(finished.chunks.some((chunk) => chunk.choices.length === 0 || (chunk.usage !== undefined && chunk.usage !== null)), false);
    assert.equal(finished.usage, undefined, 'no step reports a usage (the quota keeps its reservation)');
    assert.equal(finished.rawFinishReason, 'end_turn');
    const truncated = runStream(bedrockAdapter, CONTEXT, [wire(text.slice(0, 3))]);
    assert.equal(truncated.done, false);
    assert.equal(truncated.error?.failoverClass, 'retryable_5xx');
  });

  test('a malformed tool use at messageStop ends as an error, never as a clean stop', () => {
    const run = runAllByteSplits(bedrockAdapter, CONTEXT, wire([text[0] as EventStreamEvent, event('messageStop', { stopReason: 'malformed_tool_use' }), event('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } })]));
    assert.equal(run.error?.envelope.error.code, 'malformed_tool_use');
    assert.equal(run.done, false);
    assert.equal(run.usage?.total_tokens, 2);
  });
});

describe('bedrock fixtures', () => {
  replayFixtures({
    adapter: bedrockAdapter,
    provider: 'bedrock',
    baseUrl: BASE,
    target: (fixture) => target({ model: fixture.target?.model ?? MODEL, settings: fixture.target?.settings ?? {} }),
    checkStream: (fixture, context) => {
      const events = (fixture.response.stream?.chunks ?? []).map((chunk) => (chunk as { event: EventStreamEvent }).event);
      assert.deepEqual(runAllByteSplits(bedrockAdapter, context, wire(events)).chunks, fixture.expected.chunks);
    },
  });

  test('stream fixtures hold well-formed event frames in the recorded order', () => {
    for (const fixture of providerFixtures('bedrock').filter((entry) => entry.response.stream !== undefined)) {
      const types = (fixture.response.stream?.chunks ?? []).map((chunk) => (chunk as { event: EventStreamEvent }).event.headers[':event-type']);
      assert.equal(types[0], 'messageStart', fixture.case);
      assert.deepEqual(types.slice(-2), ['messageStop', 'metadata'], fixture.case);
    }
  });
});
