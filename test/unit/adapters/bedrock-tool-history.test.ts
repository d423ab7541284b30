import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bedrockAdapter } from '../../../runtime/adapters/bedrock/index.js';
import type { TargetContext } from '../../../runtime/adapters/contract.js';
import type { ChatCompletionRequest, Message } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { buildError, builtBody, makeTarget } from './native-adapter-harness.js';

const target = (overrides: Partial<TargetContext> = {}): TargetContext => makeTarget(
  'bedrock', 'us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'https://bedrock-runtime.us-east-1.amazonaws.com',
  { settings: { region: 'us-east-1' }, credentials: { access_key_id: literalSecret('AKIAEXAMPLE'), secret_access_key: literalSecret('secret') }, ...overrides },
);
const build = (request: ChatCompletionRequest, overrides: Partial<TargetContext> = {}) => bedrockAdapter.buildRequest(request, target(overrides));
const declared = (name: string) => ({
  toolSpec: { name, description: 'Declared by the gateway because this tool appears in the conversation history.', inputSchema: { json: { type: 'object' } } },
});
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** Two tool rounds (get_weather twice, get_time once), then a "summarise" turn. */
const HISTORY: Message[] = [
  { role: 'user', content: 'Weather and time in Boston?' },
  { role: 'assistant', content: null, tool_calls: [
    { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
    { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"EST"}' } },
  ] },
  { role: 'tool', tool_call_id: 'call_1', content: '57F' },
  { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Cambridge"}' } }] },
  { role: 'tool', tool_call_id: 'call_3', content: '55F' },
  { role: 'user', content: 'Summarise in one line.' },
];

describe('bedrock: tool-call history without tools', () => {
  test('a follow-up that sends no tools declares each tool of the history once, in order of first use, with a minimal spec', () => {
    const body = builtBody(build({ model: 'm', messages: HISTORY }));
    assert.deepEqual(body['toolConfig'], { tools: [declared('get_weather'), declared('get_time')] });
    assert.equal((body['messages'] as unknown[]).length, 5, 'the history itself is unchanged');
  });

  test('an empty tools list is treated like no tools', () => {
    assert.deepEqual(builtBody(build({ model: 'm', messages: HISTORY, tools: [] }))['toolConfig'], { tools: [declared('get_weather'), declared('get_time')] });
  });

  test('tool_choice auto, required or named without tools adds no toolChoice: only the history needs the declarations', () => {
    for (const choice of ['auto', 'required', { type: 'function', function: { name: 'get_weather' } }] as const) {
      assert.deepEqual(builtBody(build({ model: 'm', messages: HISTORY, tool_choice: choice }))['toolConfig'], { tools: [declared('get_weather'), declared('get_time')] });
    }
  });

  test('without tool history and without tools no toolConfig is sent', () => {
    assert.equal(builtBody(build({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }))['toolConfig'], undefined);
  });

  test('when the request sends tools, those are declared, not the stand-ins', () => {
    assert.deepEqual(builtBody(build({ model: 'm', messages: HISTORY, tools: [WEATHER_TOOL] }))['toolConfig'], {
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: WEATHER_TOOL.function.parameters } } }],
    });
  });

  test('tool_choice none takes the same path as with tools: a 400 naming tool_choice, or dropped and recorded with the stand-ins declared', () => {
    const request: ChatCompletionRequest = { model: 'm', messages: HISTORY, tool_choice: 'none' };
    const error = buildError(build(request));
    assert.equal(error.status, 400);
    assert.equal(error.envelope.error.param, 'tool_choice');
    const dropped = build(request, { dropParams: true });
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['tool_choice']);
    assert.deepEqual(JSON.parse(dropped.request.body)['toolConfig'], { tools: [declared('get_weather'), declared('get_time')] });
  });

  test('the body is the same string on every build', () => {
    const first = build({ model: 'm', messages: HISTORY });
    const second = build({ model: 'm', messages: HISTORY });
    assert.ok(first.ok && second.ok);
    assert.equal(first.request.body, second.request.body);
  });
});
