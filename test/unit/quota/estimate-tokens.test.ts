import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { estimatePromptTokens, reservationTokens } from '../../../runtime/quota/estimate-tokens.js';

test('text counts one token per four characters, plus 4 per message and 3 to prime the reply', () => {
  const request = { messages: [{ role: 'system', content: 'x'.repeat(40) }, { role: 'user', content: 'y'.repeat(41) }] } as const;
  // ceil(81 / 4) = 21, + 2 × 4 + 3
  assert.equal(estimatePromptTokens(request), 32);
});

test('text parts, names, tool calls, tool results and tool definitions all count', () => {
  const request: Pick<ChatCompletionRequest, 'messages' | 'tools'> = {
    messages: [
      { role: 'user', name: 'ab', content: [{ type: 'text', text: 'abcd' }, { type: 'text', text: 'efgh' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ],
    tools: [{ type: 'function', function: { name: 'get', parameters: { type: 'object' } } }],
  };
  const toolCharacters = JSON.stringify(request.tools).length;
  const characters = 2 + 8 + (3 + 7) + (2 + 4) + toolCharacters;
  assert.equal(estimatePromptTokens(request), Math.ceil(characters / 4) + 3 * 4 + 3);
});

test('images and opaque parts add fixed amounts; reservation adds the completion ceiling', () => {
  const request: Pick<ChatCompletionRequest, 'messages'> = {
    messages: [{ role: 'user', content: [
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://example.test/cat.png' } },
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
    ] }],
  };
  assert.equal(estimatePromptTokens(request), 85 + 765 + 1_000 + 4 + 3);
  assert.equal(reservationTokens(request, 256), 85 + 765 + 1_000 + 4 + 3 + 256);
});

test('the completion ceiling is max_completion_tokens, else max_tokens, else the default, for each of the n choices', () => {
  const prompt = estimatePromptTokens({ messages: [{ role: 'user', content: 'Hello' }] });
  const request = (extra: Partial<ChatCompletionRequest>) => ({ messages: [{ role: 'user' as const, content: 'Hello' }], ...extra });
  assert.equal(reservationTokens(request({}), 256), prompt + 256);
  assert.equal(reservationTokens(request({ max_tokens: 100 }), 256), prompt + 100);
  assert.equal(reservationTokens(request({ max_tokens: 100, max_completion_tokens: 50 }), 256), prompt + 50);
  assert.equal(reservationTokens(request({ max_tokens: 100, n: 8 }), 256), prompt + 800);
  assert.equal(reservationTokens(request({ n: 3 }), 256), prompt + 768);
  assert.equal(reservationTokens(request({ n: 1 }), 256), prompt + 256);
});

test('the canonical fixture requests get a plausible, positive estimate', () => {
  for (const name of ['chat', 'tool-call']) {
    const request = JSON.parse(readFileSync(new URL(`../../../fixtures/requests/${name}.json`, import.meta.url), 'utf8')) as ChatCompletionRequest;
    const text = JSON.stringify({ messages: request.messages, tools: request.tools }).length;
    const estimate = estimatePromptTokens(request);
    assert.ok(estimate > 7 && estimate < text, `${name}: ${estimate}`);
  }
});
