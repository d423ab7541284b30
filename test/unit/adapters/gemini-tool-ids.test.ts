import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import type { ResponseContext } from '../../../runtime/adapters/contract.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { geminiCallIdOf, thoughtSignatureOf, toolCallId } from '../../../runtime/adapters/gemini/tool-call-id.js';
import { vertexAiAdapter } from '../../../runtime/adapters/vertex-ai/index.js';
import type { AssistantMessage, ChatCompletionRequest, Message } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { builtBody, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const GEMINI = 'https://generativelanguage.googleapis.com';
const context = (completionId: string): ResponseContext => ({ ...CONTEXT, completionId });
const answer = (parts: unknown[]) => JSON.stringify({
  candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 },
});
const call = (name: string, args: object, extra: Record<string, unknown> = {}) => ({ functionCall: { name, args }, ...extra });
const assistantOf = (body: string, completionId: string): AssistantMessage => {
  const result = geminiAdapter.parseResponse(200, {}, body, context(completionId));
  assert.ok(result.ok);
  const message = result.completion.choices[0]?.message;
  assert.ok(message !== undefined);
  return message as AssistantMessage;
};
const ids = (message: AssistantMessage): string[] => (message.tool_calls ?? []).map((toolCall) => toolCall.id);

describe('gemini: synthetic tool-call ids are unique per response and deterministic', () => {
  test('two responses of one tool loop give their first calls different ids, built from the completion id', () => {
    const first = assistantOf(answer([call('get_weather', { city: 'Boston' })]), 'chatcmpl-AAA');
    const second = assistantOf(answer([call('get_time', { tz: 'EST' })]), 'chatcmpl-BBB');
    assert.deepEqual(ids(first), ['call_AAA_0']);
    assert.deepEqual(ids(second), ['call_BBB_0']);
    assert.deepEqual(ids(assistantOf(answer([call('get_weather', { city: 'Boston' })]), 'chatcmpl-AAA')), ['call_AAA_0'], 'same input, same id');
  });

  test('parallel calls are numbered from 0; the thought signature still rides in the id and is read back', () => {
    const message = assistantOf(answer([{ text: 'Checking.' }, call('a', { x: 1 }, { thoughtSignature: 'SIG==' }), call('b', {})]), 'chatcmpl-r1');
    assert.deepEqual(ids(message), ['call_r1_0__thought__SIG==', 'call_r1_1']);
    assert.equal(thoughtSignatureOf(ids(message)[0] ?? ''), 'SIG==');
    assert.equal(thoughtSignatureOf(ids(message)[1] ?? ''), undefined);
  });

  test('Gemini\'s own functionCall id rides in the id after the per-response part, before the signature', () => {
    const body = answer([{ functionCall: { id: 'x7k2p9qd', name: 'a', args: {} }, thoughtSignature: 'S' }, { functionCall: { id: 'm4n8', name: 'b', args: {} } }, call('c', {})]);
    const message = assistantOf(body, 'chatcmpl-r2');
    assert.deepEqual(ids(message), ['call_r2_0__gemini__x7k2p9qd__thought__S', 'call_r2_1__gemini__m4n8', 'call_r2_2']);
    assert.deepEqual(ids(message).map(geminiCallIdOf), ['x7k2p9qd', 'm4n8', undefined]);
    assert.deepEqual(ids(message).map(thoughtSignatureOf), ['S', undefined, undefined]);
  });

  test('the stream gives the same per-response ids, whole and at any byte split', () => {
    const text = `data: ${answer([call('a', { q: 1 }, { thoughtSignature: 'S1' }), call('b', {})])}\r\n\r\n`;
    const run = runAllSplits(geminiAdapter, context('chatcmpl-s1'), text);
    const streamed = run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((delta) => delta.id);
    assert.deepEqual(streamed, ['call_s1_0__thought__S1', 'call_s1_1']);
    const vertexRun = runAllSplits(vertexAiAdapter, context('chatcmpl-s2'), text);
    assert.deepEqual(vertexRun.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((delta) => delta.id), ['call_s2_0__thought__S1', 'call_s2_1']);
  });

  test('a two-round Gemini tool loop replayed to Anthropic carries unique tool_use ids', () => {
    const first = assistantOf(answer([call('get_weather', { city: 'Boston' })]), 'chatcmpl-AAA');
    const second = assistantOf(answer([call('get_time', { tz: 'EST' })]), 'chatcmpl-BBB');
    const request: ChatCompletionRequest = { model: 'm', max_tokens: 100, messages: [
      { role: 'user', content: 'Weather and time in Boston?' },
      first, { role: 'tool', tool_call_id: ids(first)[0] ?? '', content: '57F' },
      second, { role: 'tool', tool_call_id: ids(second)[0] ?? '', content: '12:00' },
      { role: 'user', content: 'Summarise' },
    ] };
    const body = builtBody(anthropicAdapter.buildRequest(request, makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com')));
    const toolUseIds = (body['messages'] as { content: unknown }[])
      .flatMap((message) => (Array.isArray(message.content) ? message.content : []) as { type: string; id?: string }[])
      .filter((block) => block.type === 'tool_use').map((block) => block.id);
    assert.deepEqual(toolUseIds, ['call_AAA_0', 'call_BBB_0']);
  });

  test('an id carrying a thought signature (+, /, =) reaches Anthropic in its id pattern, the same on the call and its result', () => {
    const signed = assistantOf(answer([call('get_weather', { city: 'Lima' }, { thoughtSignature: 'EqUCCqICAb4+9v/Xy==' })]), 'chatcmpl-SIG');
    assert.equal(ids(signed)[0], 'call_SIG_0__thought__EqUCCqICAb4+9v/Xy==');
    const request: ChatCompletionRequest = { model: 'm', max_tokens: 100, messages: [
      { role: 'user', content: 'Weather?' }, signed, { role: 'tool', tool_call_id: ids(signed)[0] ?? '', content: 'sunny' },
    ] };
    const body = builtBody(anthropicAdapter.buildRequest(request, makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com')));
    const blocks = (body['messages'] as { content: unknown }[]).flatMap((message) => (Array.isArray(message.content) ? message.content : []) as { type: string; id?: string; tool_use_id?: string }[]);
    const used = blocks.find((block) => block.type === 'tool_use')?.id;
    const answered = blocks.find((block) => block.type === 'tool_result')?.tool_use_id;
    assert.equal(used, 'call_SIG_0__thought__EqUCCqICAb4_9v_Xy__');
    assert.match(used ?? '', /^[a-zA-Z0-9_-]+$/);
    assert.equal(answered, used);
  });
});

describe('gemini: function responses follow the order of the calls they answer', () => {
  test('parallel calls to one function answered in the other order: each result still pairs with its call by position', () => {
    const weather = (id: string, city: string) => ({ id, type: 'function' as const, function: { name: 'get_weather', arguments: JSON.stringify({ city }) } });
    const messages: Message[] = [
      { role: 'user', content: 'Weather in Lima and Quito?' },
      { role: 'assistant', content: null, tool_calls: [weather('fc_abc123', 'Lima'), weather('fc_def456', 'Quito')] },
      { role: 'tool', tool_call_id: 'fc_def456', content: 'rain' },
      { role: 'tool', tool_call_id: 'fc_abc123', content: 'sunny' },
      { role: 'user', content: 'Which is warmer?' },
    ];
    const contents = builtBody(geminiAdapter.buildRequest({ model: 'm', messages }, makeTarget('gemini', 'gemini-2.5-flash', GEMINI)))['contents'];
    assert.deepEqual(contents, [
      { role: 'user', parts: [{ text: 'Weather in Lima and Quito?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lima' } } }, { functionCall: { name: 'get_weather', args: { city: 'Quito' } } }] },
      { role: 'user', parts: [
        { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        { functionResponse: { name: 'get_weather', response: { output: 'rain' } } },
        { text: 'Which is warmer?' },
      ] },
    ]);
  });
});

describe('gemini: a call Gemini gave an id gets it back, on the call and on its functionResponse', () => {
  const request = (messages: Message[]): ChatCompletionRequest => ({ model: 'm', messages });
  const weatherAnswer = answer([
    { functionCall: { id: 'x7k2p9qd', name: 'get_weather', args: { city: 'Lima' } }, thoughtSignature: 'SIG==' },
    { functionCall: { id: 'm4n8v1rt', name: 'get_weather', args: { city: 'Quito' } } },
  ]);

  test('parallel calls answered in the other order: each call and its response carry that call\'s Gemini id', () => {
    const assistant = assistantOf(weatherAnswer, 'chatcmpl-G1');
    const [lima = '', quito = ''] = ids(assistant);
    const contents = builtBody(geminiAdapter.buildRequest(request([
      { role: 'user', content: 'Weather in Lima and Quito?' },
      assistant,
      { role: 'tool', tool_call_id: quito, content: 'rain' },
      { role: 'tool', tool_call_id: lima, content: 'sunny' },
    ]), makeTarget('gemini', 'gemini-3-flash-preview', GEMINI)))['contents'];
    assert.deepEqual(contents, [
      { role: 'user', parts: [{ text: 'Weather in Lima and Quito?' }] },
      { role: 'model', parts: [
        { functionCall: { id: 'x7k2p9qd', name: 'get_weather', args: { city: 'Lima' } }, thoughtSignature: 'SIG==' },
        { functionCall: { id: 'm4n8v1rt', name: 'get_weather', args: { city: 'Quito' } } },
      ] },
      { role: 'user', parts: [
        { functionResponse: { id: 'x7k2p9qd', name: 'get_weather', response: { output: 'sunny' } } },
        { functionResponse: { id: 'm4n8v1rt', name: 'get_weather', response: { output: 'rain' } } },
      ] },
    ]);
  });

  test('ids read from the stream come back the same way, to Vertex AI too (same translation)', () => {
    const run = runAllSplits(geminiAdapter, context('chatcmpl-G2'), `data: ${weatherAnswer}\r\n\r\n`);
    const streamed = run.chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.deepEqual(streamed.map((delta) => delta.id), ['call_G2_0__gemini__x7k2p9qd__thought__SIG==', 'call_G2_1__gemini__m4n8v1rt']);
    const messages: Message[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: streamed.map((delta) => ({ id: delta.id ?? '', type: 'function' as const, function: { name: delta.function?.name ?? '', arguments: delta.function?.arguments ?? '' } })) },
      ...streamed.map((delta, index): Message => ({ role: 'tool', tool_call_id: delta.id ?? '', content: `r${index}` })),
    ];
    const vertex = vertexAiAdapter.buildRequest(request(messages), makeTarget('vertex-ai', 'gemini-3-flash-preview', 'https://aiplatform.googleapis.com', {
      settings: { project: 'p', location: 'global' }, credentials: { access_token: literalSecret('ya29.token') },
    }));
    const parts = (builtBody(vertex)['contents'] as { parts: Record<string, Record<string, unknown>>[] }[]).slice(1).map((content) => content.parts.map((part) => (part['functionCall'] ?? part['functionResponse'])?.['id']));
    assert.deepEqual(parts, [['x7k2p9qd', 'm4n8v1rt'], ['x7k2p9qd', 'm4n8v1rt']]);
  });

  test('calls without a Gemini id, and ids other providers or clients wrote, are never sent as Gemini ids', () => {
    const own = assistantOf(answer([call('get_time', { tz: 'EST' })]), 'chatcmpl-G3');
    const openaiCall = { id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } };
    const anthropicCall = { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } };
    const contents = builtBody(geminiAdapter.buildRequest(request([
      { role: 'user', content: 'x' },
      own, { role: 'tool', tool_call_id: ids(own)[0] ?? '', content: '12:00' },
      { role: 'assistant', content: null, tool_calls: [openaiCall, anthropicCall] },
      { role: 'tool', tool_call_id: openaiCall.id, content: '57F' },
      { role: 'tool', tool_call_id: anthropicCall.id, content: '55F' },
    ]), makeTarget('gemini', 'gemini-2.5-flash', GEMINI)))['contents'] as { parts: Record<string, Record<string, unknown>>[] }[];
    for (const content of contents) {
      for (const part of content.parts) assert.equal('id' in (part['functionCall'] ?? part['functionResponse'] ?? {}), false, JSON.stringify(part));
    }
  });

  test('a Gemini id that holds a separator is left out of the id rather than read back wrong', () => {
    assert.equal(toolCallId('chatcmpl-G4', 0, 'a__thought__b', 'S'), 'call_G4_0__thought__S');
    assert.equal(toolCallId('chatcmpl-G4', 1, 'a__gemini__b', undefined), 'call_G4_1');
    assert.equal(geminiCallIdOf('call_G4_0__thought__S'), undefined);
  });
});

describe('gemini 3: tool-call history another provider wrote gets the placeholder thought signature', () => {
  const SENTINEL = 'skip_thought_signature_validator';
  const history = (model: string, messages: Message[]) => builtBody(geminiAdapter.buildRequest({ model: 'm', messages }, makeTarget('gemini', model, GEMINI)))['contents'];
  const openaiCall = (id: string, name: string) => ({ id, type: 'function' as const, function: { name, arguments: '{}' } });
  const LOOP: Message[] = [
    { role: 'user', content: 'Weather and time?' },
    { role: 'assistant', content: null, tool_calls: [openaiCall('call_O17Uplv4lJvD6DVdIvFFeRMw', 'get_weather'), openaiCall('call_X2', 'get_time')] },
    { role: 'tool', tool_call_id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', content: '57F' },
    { role: 'tool', tool_call_id: 'call_X2', content: '12:00' },
    { role: 'assistant', content: 'One more.', tool_calls: [openaiCall('toolu_01A', 'get_weather')] },
    { role: 'tool', tool_call_id: 'toolu_01A', content: '55F' },
  ];

  test('the first functionCall part of each model turn carries the placeholder; later parallel calls stay bare', () => {
    assert.deepEqual(history('gemini-3-pro-preview', LOOP), [
      { role: 'user', parts: [{ text: 'Weather and time?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} }, thoughtSignature: SENTINEL }, { functionCall: { name: 'get_time', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '57F' } } }, { functionResponse: { name: 'get_time', response: { output: '12:00' } } }] },
      { role: 'model', parts: [{ text: 'One more.' }, { functionCall: { name: 'get_weather', args: {} }, thoughtSignature: SENTINEL }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '55F' } } }] },
    ]);
  });

  test('a signature Gemini returned is sent back as it is, never replaced', () => {
    const own: Message[] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [openaiCall('call_r1_0__thought__REAL==', 'a'), openaiCall('call_r1_1', 'b')] },
    ];
    assert.deepEqual((history('gemini-3-flash-preview', own) as { parts: unknown[] }[])[1]?.parts, [
      { functionCall: { name: 'a', args: {} }, thoughtSignature: 'REAL==' }, { functionCall: { name: 'b', args: {} } },
    ]);
  });

  test('models before Gemini 3 get no placeholder (Google documents it for Gemini 3 only)', () => {
    for (const model of ['gemini-2.5-flash', 'gemini-2.0-flash', 'tunedModels/my-tune']) {
      const contents = history(model, LOOP) as { parts: Record<string, unknown>[] }[];
      assert.equal(contents.some((content) => content.parts.some((part) => 'thoughtSignature' in part)), false, model);
    }
    for (const model of ['gemini-3.1-pro-preview', 'models/gemini-3-flash-preview']) {
      assert.equal((history(model, LOOP) as { parts: Record<string, unknown>[] }[])[1]?.parts[0]?.['thoughtSignature'], SENTINEL, model);
    }
  });

  test('Vertex AI gets the same placeholder for Gemini 3', () => {
    const result = vertexAiAdapter.buildRequest({ model: 'm', messages: LOOP }, makeTarget('vertex-ai', 'gemini-3-pro-preview', 'https://aiplatform.googleapis.com', {
      settings: { project: 'p', location: 'global' }, credentials: { access_token: literalSecret('ya29.token') },
    }));
    assert.equal((builtBody(result)['contents'] as { parts: Record<string, unknown>[] }[])[1]?.parts[0]?.['thoughtSignature'], SENTINEL);
  });
});
