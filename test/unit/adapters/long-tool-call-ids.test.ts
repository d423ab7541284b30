/**
 * A tool loop that started on Gemini (whose ids carry the thought signature, often hundreds of
 * characters) and continues on an OpenAI-family target: ids over OpenAI's 40-character limit are
 * rewritten the same way in the assistant's tool_calls and in the tool messages, deterministically;
 * shorter ids pass as they are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResponseContext } from '../../../runtime/adapters/contract.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../../runtime/adapters/openai-compatible/long-tool-call-ids.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import type { AssistantMessage, Message } from '../../../runtime/openai/wire.js';
import { anyAdapterTarget, chatRequest, CONTEXT } from './native-adapter-harness.js';

const context: ResponseContext = { ...CONTEXT, completionId: 'chatcmpl-3f9a2c41d8e74b6c9a05e1f2' };
const signature = 'CiQBcsjafH0Zp4yq8cM2W'.repeat(12);

/** The assistant turn the Gemini adapter gave for two parallel calls of a thinking model. */
function geminiAssistant(): AssistantMessage {
  const body = JSON.stringify({
    candidates: [{ content: { role: 'model', parts: [
      { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: signature },
      { functionCall: { name: 'get_time', args: { zone: 'CET' } } },
    ] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 },
  });
  const parsed = geminiAdapter.parseResponse(200, {}, body, context);
  assert.ok(parsed.ok);
  return parsed.completion.choices[0]?.message as AssistantMessage;
}

function conversation(assistant: AssistantMessage): Message[] {
  return [
    { role: 'user', content: 'Weather and time in Paris?' },
    assistant,
    ...(assistant.tool_calls ?? []).map((call): Message => ({ role: 'tool', tool_call_id: call.id, content: `result of ${call.function.name}` })),
  ];
}

interface SentMessage { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }

function sentMessages(type: 'openai' | 'azure-openai' | 'groq' | 'vllm', messages: Message[]): SentMessage[] {
  const built = getAdapter(type).buildRequest(chatRequest({ messages }), anyAdapterTarget(type));
  assert.ok(built.ok, built.ok ? '' : built.error.envelope.error.message);
  return (JSON.parse(built.request.body) as { messages: SentMessage[] }).messages;
}

test('Gemini ids over 40 characters reach OpenAI-family targets shortened, paired and the same on every attempt', () => {
  const assistant = geminiAssistant();
  const [long, short] = (assistant.tool_calls ?? []).map((call) => call.id);
  assert.ok(long !== undefined && long.length > MAX_TOOL_CALL_ID_LENGTH, `the signed id is ${long?.length ?? 0} characters`);
  for (const type of ['openai', 'azure-openai', 'groq', 'vllm'] as const) {
    const sent = sentMessages(type, conversation(assistant));
    const callIds = sent[1]?.tool_calls?.map((call) => call.id) ?? [];
    const resultIds = sent.slice(2).map((message) => message.tool_call_id);
    assert.equal(callIds.length, 2);
    assert.ok(callIds.every((id) => id.length <= MAX_TOOL_CALL_ID_LENGTH), `${type}: ${callIds.join(', ')}`);
    assert.deepEqual(resultIds, callIds, `${type}: each tool result names its call`);
    assert.notEqual(callIds[0], callIds[1]);
    assert.match(callIds[0] ?? '', /^call_[A-Za-z0-9_-]{32}$/);
    // A short id is left alone, when it is short enough.
    if (short !== undefined && short.length <= MAX_TOOL_CALL_ID_LENGTH) assert.equal(callIds[1], short);
    assert.deepEqual(sentMessages(type, conversation(assistant)), sent, `${type}: deterministic`);
  }
});

test('a conversation whose ids fit is sent as it is', () => {
  const messages: Message[] = [
    { role: 'user', content: 'x' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_abc123', content: 'y' },
  ];
  const sent = sentMessages('openai', messages);
  assert.equal(sent[1]?.tool_calls?.[0]?.id, 'call_abc123');
  assert.equal(sent[2]?.tool_call_id, 'call_abc123');
});
