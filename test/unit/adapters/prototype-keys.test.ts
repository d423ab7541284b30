/**
 * Strings from outside (a parameter name, a schema type, a file extension or mime type, a provider's
 * finish reason) are looked up in the adapters' tables as their own entries only: `constructor` or
 * `toString` once found Object.prototype's functions there (a 500, or a wrong 400).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { anyAdapterTarget, buildError, builtBody, chatRequest, CONTEXT } from './native-adapter-harness.js';

const INHERITED = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];

const target = anyAdapterTarget;

test('a top-level field named after an Object.prototype member is an unknown field to every adapter: never a crash', () => {
  for (const type of PROVIDER_TYPES) {
    for (const name of INHERITED) {
      const result = getAdapter(type).buildRequest(chatRequest({ [name]: 1 }), target(type));
      if (result.ok) continue;
      assert.doesNotMatch(result.error.envelope.error.message, /native code|function /, `${type} ${name}`);
      assert.equal(result.error.status, 400, `${type} ${name}`);
    }
  }
  // OpenAI passes unknown fields on (its table's policy): the field goes to the provider as sent.
  assert.equal(builtBody(getAdapter('openai').buildRequest(chatRequest({ toString: 1 }), target('openai')))['toString'], 1);
});

test('a tool schema whose type or format is an Object.prototype name converts or is refused, never a 500', () => {
  for (const type of ['gemini', 'vertex-ai'] as const) {
    for (const name of INHERITED) {
      const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: name, format: 'x' } } } } }];
      const result = getAdapter(type).buildRequest(chatRequest({ tools }), target(type));
      if (!result.ok) assert.equal(result.error.status, 400, `${type} ${name}`);
    }
  }
});

test('an image or document whose extension or mime type is an Object.prototype name is refused as unsupported', () => {
  for (const name of INHERITED) {
    const image = chatRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `https://example.com/a.${name}` } }] }] });
    const gemini = getAdapter('gemini').buildRequest(image, target('gemini'));
    if (gemini.ok) assert.doesNotMatch(JSON.stringify(builtBody(gemini)), /native code/);
    const dataUrl = chatRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/${name};base64,AAAA` } }] }] });
    assert.equal(buildError(getAdapter('bedrock').buildRequest(dataUrl, target('bedrock'))).status, 400, `bedrock image/${name}`);
  }
});

test('a provider finish reason named after an Object.prototype member reads as an unknown one (stop)', () => {
  for (const name of INHERITED) {
    const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: name }] });
    const parsed = getAdapter('openai').parseResponse(200, {}, body, CONTEXT);
    assert.ok(parsed.ok, name);
    assert.equal(parsed.ok && parsed.completion.choices[0]?.finish_reason, 'stop', name);
  }
});
