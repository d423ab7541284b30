/**
 * Chat front-ends send an image without words as `[{type:"text", text:""}, {type:"image_url", …}]`.
 * OpenAI takes it; Anthropic refuses empty text blocks ("text content blocks must be non-empty") and
 * Gemini empty text parts. The empty part carries nothing, so it is left out (as the Bedrock adapter
 * already does) instead of turning a valid request into the provider's 400.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import type { ContentPart } from '../../../runtime/openai/wire.js';
import { builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

const IMAGE: ContentPart = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
const withContent = (content: readonly ContentPart[]) => chatRequest({ messages: [{ role: 'user', content }] });

describe('anthropic: an empty text part beside other content is left out', () => {
  const target = makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com');
  const messages = (content: readonly ContentPart[]) => builtBody(anthropicAdapter.buildRequest(withContent(content), target))['messages'];

  test('an image with an empty caption is sent as the image alone', () => {
    assert.deepEqual(messages([{ type: 'text', text: '' }, IMAGE]), [
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
    ]);
  });

  test('text parts with words keep their place; only the empty one goes', () => {
    assert.deepEqual(messages([{ type: 'text', text: 'a' }, { type: 'text', text: '' }, { type: 'text', text: 'b' }]), [
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
    ]);
  });

  test('an empty message merged into a turn with words is left out of it', () => {
    const request = chatRequest({ messages: [{ role: 'user', content: 'Hi' }, { role: 'user', content: [{ type: 'text', text: '' }] }] });
    assert.deepEqual(builtBody(anthropicAdapter.buildRequest(request, target))['messages'], [{ role: 'user', content: 'Hi' }]);
  });

  test('a message with nothing but empty text is still sent (the API says what is wrong; no turn vanishes)', () => {
    assert.deepEqual(messages([{ type: 'text', text: '' }]), [{ role: 'user', content: '' }]);
  });
});

describe('gemini: an empty text part is left out, like empty string content', () => {
  const target = makeTarget('gemini', 'gemini-2.5-flash', 'https://generativelanguage.googleapis.com');

  test('an image with an empty caption is sent as the image alone', () => {
    assert.deepEqual(builtBody(geminiAdapter.buildRequest(withContent([{ type: 'text', text: '' }, IMAGE]), target))['contents'], [
      { role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    ]);
  });
});
