/**
 * Anthropic, Bedrock Converse and Gemini take no conversation without a user or assistant turn;
 * OpenAI takes system messages alone. Such a request is refused before the call, as a 400 naming
 * `messages` and the provider (prepare-call then tries the route's next candidate), instead of
 * the provider's own "messages: Field required".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import { bedrockAdapter } from '../../../runtime/adapters/bedrock/index.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { openaiAdapter } from '../../../runtime/adapters/openai-compatible/index.js';
import { buildError, builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

const SYSTEM_ONLY = chatRequest({ messages: [{ role: 'system', content: 'Say hello.' }, { role: 'developer', content: 'Be brief.' }] });

const cases = [
  { label: 'Anthropic', adapter: anthropicAdapter, target: makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com') },
  { label: 'Bedrock Converse', adapter: bedrockAdapter, target: makeTarget('bedrock', 'anthropic.claude-3-haiku-20240307-v1:0', 'https://bedrock-runtime.us-east-1.amazonaws.com') },
  { label: 'Gemini', adapter: geminiAdapter, target: makeTarget('gemini', 'gemini-2.0-flash', 'https://generativelanguage.googleapis.com') },
];

for (const { label, adapter, target } of cases) {
  test(`${label}: system messages alone are a 400 on messages, not sent`, () => {
    const error = buildError(adapter.buildRequest(SYSTEM_ONLY, target));
    assert.equal(error.status, 400);
    assert.equal(error.failoverClass, 'client_error');
    assert.equal(error.envelope.error.param, 'messages');
    assert.match(error.envelope.error.message, new RegExp(`^${label} needs at least one user or assistant message`));
  });
}

test('OpenAI takes system messages alone: sent as they are', () => {
  const body = builtBody(openaiAdapter.buildRequest(SYSTEM_ONLY, makeTarget('openai', 'gpt-4o-mini', 'https://api.openai.com/v1')));
  assert.equal((body['messages'] as unknown[]).length, 2);
});
