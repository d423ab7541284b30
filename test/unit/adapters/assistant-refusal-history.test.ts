/**
 * OpenAI answers a request it refuses with `message.refusal` and `content: null`, and clients replay
 * that message in the next request's history (the gateway's own 400 for a refusal content part tells
 * them to send it as the `refusal` field). The native adapters read only `content`, so the refused turn
 * vanished: the model never saw that it had refused, and the user turns around it ran together.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderAdapter, TargetContext } from '../../../runtime/adapters/contract.js';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import { bedrockAdapter } from '../../../runtime/adapters/bedrock/index.js';
import { cohereAdapter } from '../../../runtime/adapters/cohere/index.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { ollamaAdapter } from '../../../runtime/adapters/ollama/index.js';
import type { Message } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

const REFUSAL = 'I cannot help with that.';

/** Per adapter: the target, and the turns of a built body as [role, text] pairs (Gemini's model role read as assistant). */
const CASES: readonly [string, ProviderAdapter, TargetContext, (body: Record<string, unknown>) => unknown][] = [
  ['anthropic', anthropicAdapter, makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com'),
    (body) => (body['messages'] as { role: string; content: unknown }[]).map((message) => [message.role, message.content])],
  ['gemini', geminiAdapter, makeTarget('gemini', 'gemini-2.5-flash', 'https://generativelanguage.googleapis.com'),
    (body) => (body['contents'] as { role: string; parts: { text?: string }[] }[]).map((content) => [content.role === 'model' ? 'assistant' : content.role, content.parts.map((part) => part.text).join('|')])],
  ['bedrock', bedrockAdapter, makeTarget('bedrock', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'https://bedrock-runtime.us-east-1.amazonaws.com', {
    settings: { region: 'us-east-1' }, credentials: { access_key_id: literalSecret('AKID'), secret_access_key: literalSecret('secret') },
  }), (body) => (body['messages'] as { role: string; content: { text?: string }[] }[]).map((message) => [message.role, message.content.map((block) => block.text).join('|')])],
  ['cohere', cohereAdapter, makeTarget('cohere', 'command-a-03-2025', 'https://api.cohere.com'),
    (body) => (body['messages'] as { role: string; content?: unknown }[]).map((message) => [message.role, message.content])],
  ['ollama', ollamaAdapter, makeTarget('ollama', 'llama3.1', 'http://localhost:11434', { credentials: {} }),
    (body) => (body['messages'] as { role: string; content: unknown }[]).map((message) => [message.role, message.content])],
];

const history = (assistant: Message): Message[] => [{ role: 'user', content: 'hi' }, assistant, { role: 'user', content: 'why?' }];

for (const [provider, adapter, target, turns] of CASES) {
  describe(`${provider}: an assistant refusal in the history is the assistant's turn`, () => {
    const sent = (assistant: Message) => turns(builtBody(adapter.buildRequest(chatRequest({ messages: history(assistant) }), target)));

    test('a refusal with null content is sent as the assistant text', () => {
      assert.deepEqual(sent({ role: 'assistant', content: null, refusal: REFUSAL }), [['user', 'hi'], ['assistant', REFUSAL], ['user', 'why?']]);
    });

    test('content and a null refusal are sent as before', () => {
      assert.deepEqual(sent({ role: 'assistant', content: 'Hello', refusal: null }), [['user', 'hi'], ['assistant', 'Hello'], ['user', 'why?']]);
    });
  });
}
