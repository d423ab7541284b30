/**
 * OpenAI's `strict: true` on a tool holds its calls to the schema. It is never dropped in silence:
 * the Gemini API (v1beta) and Vertex AI v1beta1 translate it to VALIDATED where the model chooses
 * (ANY, which forces a call, holds calls to their schema already); Vertex AI v1 (its default), whose
 * modes are AUTO, ANY and NONE, and Ollama, which has no such mode, answer 400 or record the drop
 * with `drop_params`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import type { TargetContext } from '../../../runtime/adapters/contract.js';
import type { ChatCompletionRequest, FunctionTool } from '../../../runtime/openai/wire.js';
import { anyAdapterTarget, chatRequest } from './native-adapter-harness.js';

const tool = (strict?: boolean): FunctionTool => ({ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false }, ...(strict === undefined ? {} : { strict }) } });

const onVersion = (type: 'gemini' | 'vertex-ai', version: string): TargetContext => ({ ...anyAdapterTarget(type), settings: { ...anyAdapterTarget(type).settings, api_version: version } });

function geminiMode(type: 'gemini' | 'vertex-ai', fields: Partial<ChatCompletionRequest>, version = type === 'gemini' ? 'v1beta' : 'v1beta1'): string | undefined {
  const built = getAdapter(type).buildRequest(chatRequest(fields), onVersion(type, version));
  assert.ok(built.ok, built.ok ? '' : built.error.envelope.error.message);
  assert.deepEqual(built.dropped, []);
  return (JSON.parse(built.request.body) as { toolConfig?: { functionCallingConfig: { mode: string } } }).toolConfig?.functionCallingConfig.mode;
}

test('Gemini API v1beta and Vertex AI v1beta1: a strict tool makes the model-chosen mode VALIDATED; forced calls stay ANY; none stays NONE', () => {
  for (const type of ['gemini', 'vertex-ai'] as const) {
    assert.equal(geminiMode(type, { tools: [tool(true)] }), 'VALIDATED', type);
    assert.equal(geminiMode(type, { tools: [tool(true)], tool_choice: 'auto' }), 'VALIDATED', type);
    assert.equal(geminiMode(type, { tools: [tool(false), tool(true)] }), 'VALIDATED', `${type}: one strict tool is enough`);
    assert.equal(geminiMode(type, { tools: [tool(true)], tool_choice: 'required' }), 'ANY', type);
    assert.equal(geminiMode(type, { tools: [tool(true)], tool_choice: { type: 'function', function: { name: 'lookup' } } }), 'ANY', type);
    assert.equal(geminiMode(type, { tools: [tool(true)], tool_choice: 'none' }), 'NONE', type);
    // Without strict, nothing changes: no toolConfig unless a tool_choice asks for one.
    assert.equal(geminiMode(type, { tools: [tool()] }), undefined, type);
    assert.equal(geminiMode(type, { tools: [tool(false)], tool_choice: 'auto' }), 'AUTO', type);
  }
});

test('Ollama: a strict tool is a 400 naming the field, or with drop_params a recorded drop; the tool itself is still sent', () => {
  const refused = getAdapter('ollama').buildRequest(chatRequest({ tools: [tool(true)] }), anyAdapterTarget('ollama'));
  assert.ok(!refused.ok);
  assert.equal(refused.error.status, 400);
  assert.equal(refused.error.envelope.error.code, 'unsupported_parameter');
  assert.equal(refused.error.envelope.error.param, 'tools[].function.strict');
  const dropped = getAdapter('ollama').buildRequest(chatRequest({ tools: [tool(true)] }), { ...anyAdapterTarget('ollama'), dropParams: true });
  assert.ok(dropped.ok);
  assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['tools[].function.strict']);
  assert.match(dropped.request.body, /"name":"lookup"/);
  // Not strict, or tools not sent (tool_choice none): nothing to refuse.
  assert.ok(getAdapter('ollama').buildRequest(chatRequest({ tools: [tool(false)] }), anyAdapterTarget('ollama')).ok);
  assert.ok(getAdapter('ollama').buildRequest(chatRequest({ tools: [tool(true)], tool_choice: 'none' }), anyAdapterTarget('ollama')).ok);
});

test('Vertex AI v1 (the default version) has no VALIDATED: a strict tool where the model chooses is a 400 or a recorded drop; forced calls still work', () => {
  const target = onVersion('vertex-ai', 'v1');
  const refused = getAdapter('vertex-ai').buildRequest(chatRequest({ tools: [tool(true)] }), target);
  assert.ok(!refused.ok);
  assert.equal(refused.error.envelope.error.param, 'tools[].function.strict');
  assert.match(refused.error.envelope.error.message, /v1beta1 has VALIDATED/);
  const dropped = getAdapter('vertex-ai').buildRequest(chatRequest({ tools: [tool(true)] }), { ...target, dropParams: true });
  assert.ok(dropped.ok);
  assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['tools[].function.strict']);
  assert.doesNotMatch(dropped.request.body, /VALIDATED/);
  assert.equal(geminiMode('vertex-ai', { tools: [tool(true)], tool_choice: 'required' }, 'v1'), 'ANY');
});
