/**
 * Tool calls through the gateway with the official `openai` SDK (design §10.6): non-stream tool
 * calls, and streamed argument deltas that the SDK's own accumulator (`chat.completions.stream` →
 * `finalChatCompletion`) assembles — one id per call, the OpenAI `index`, arguments that parse, and
 * `finish_reason: tool_calls` — for a pass-through provider and for translated ones (Anthropic,
 * Gemini, Bedrock), whose native requests must carry the tools.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { collect, gatewaySuite, mockProviders, type GatewayHandle } from './helpers/gateway-harness.js';

const request = {
  messages: [{ role: 'user', content: 'What is the weather in Boston?' }],
  tools: [{
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  }],
  tool_choice: 'auto',
  max_tokens: 256,
} satisfies Omit<ChatCompletionCreateParamsNonStreaming, 'model'>;

/** Where each provider's native request carries the tool definitions. */
const TOOLS_FIELD: Readonly<Record<string, (body: Record<string, unknown>) => unknown>> = {
  openai: (body) => body['tools'],
  anthropic: (body) => body['tools'],
  gemini: (body) => body['tools'],
  bedrock: (body) => (body['toolConfig'] as { tools?: unknown } | undefined)?.tools,
};

describe('tool calls', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini', bedrock: 'bedrock' }, { bedrock: 'region: us-east-1' })}
ai_routes:
  - { name: tools-openai, match: { model: tools-openai }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
  - { name: tools-anthropic, match: { model: tools-anthropic }, targets: [ { provider: anthropic, model: claude-haiku-4-5 } ] }
  - { name: tools-gemini, match: { model: tools-gemini }, targets: [ { provider: gemini, model: gemini-2.0-flash } ] }
  - { name: tools-bedrock, match: { model: tools-bedrock }, targets: [ { provider: bedrock, model: anthropic.claude-3-5-haiku-20241022-v1:0 } ] }
`);

  for (const provider of ['openai', 'anthropic', 'gemini', 'bedrock']) {
    test(`${provider}: a non-stream tool call reaches the SDK as tool_calls with parseable arguments`, async () => {
      const answer = await handle.client.chat.completions.create({ ...request, model: `tools-${provider}` });
      const choice = answer.choices[0];
      assert.equal(choice?.finish_reason, 'tool_calls');
      const calls = choice?.message.tool_calls ?? [];
      assert.equal(calls.length, 1);
      const call = calls[0];
      assert.ok(call !== undefined && call.type === 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.ok(call.id.length > 0);
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Boston' });
      const sent = mock.log().findLast((entry) => entry.provider === provider)?.body as Record<string, unknown>;
      const tools = TOOLS_FIELD[provider]?.(sent);
      assert.ok(Array.isArray(tools) && tools.length === 1, `the ${provider} request carried the tool definition`);
    });

    test(`${provider}: streamed tool-call deltas keep index 0, send the id once, and the SDK accumulates the call`, async () => {
      const chunks: ChatCompletionChunk[] = await collect(await handle.client.chat.completions.create({ ...request, model: `tools-${provider}`, stream: true }));
      const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
      // Gemini sends a function call whole, in one part; the others stream the arguments in pieces.
      assert.ok(deltas.length >= (provider === 'gemini' ? 1 : 2), `tool-call deltas: ${deltas.length}`);
      assert.ok(deltas.every((delta) => delta.index === 0), `every delta has index 0: ${JSON.stringify(deltas.map((delta) => delta.index))}`);
      assert.equal(deltas.filter((delta) => delta.id !== undefined).length, 1, 'the id is sent once');
      assert.equal(deltas[0]?.id !== undefined && deltas[0]?.function?.name, 'get_weather', 'the first delta names the call');
      assert.deepEqual(JSON.parse(deltas.map((delta) => delta.function?.arguments ?? '').join('')), { city: 'Boston' });
      const finish = chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason !== null && reason !== undefined);
      assert.deepEqual(finish, ['tool_calls']);

      // The SDK's own accumulator agrees.
      const runner = handle.client.chat.completions.stream({ ...request, model: `tools-${provider}` });
      const final = await runner.finalChatCompletion();
      const call = final.choices[0]?.message.tool_calls?.[0];
      assert.ok(call !== undefined && call.type === 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Boston' });
      assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    });
  }
});
