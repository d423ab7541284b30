import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderAdapter, TargetContext } from '../../../runtime/adapters/contract.js';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { vertexAiAdapter } from '../../../runtime/adapters/vertex-ai/index.js';
import type { ChatCompletionRequest, FunctionTool } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { buildError, builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

const ADAPTERS: readonly [string, ProviderAdapter, TargetContext][] = [
  ['gemini', geminiAdapter, makeTarget('gemini', 'gemini-2.5-flash', 'https://generativelanguage.googleapis.com')],
  ['vertex-ai', vertexAiAdapter, makeTarget('vertex-ai', 'gemini-2.5-flash', 'https://us-central1-aiplatform.googleapis.com', {
    settings: { project: 'p', location: 'us-central1' }, credentials: { access_token: literalSecret('ya29.token') },
  })],
];
const tool = (name: string, parameters: Record<string, unknown>): FunctionTool => ({ type: 'function', function: { name, parameters } });
const declarations = (adapter: ProviderAdapter, target: TargetContext, request: ChatCompletionRequest): unknown => {
  const tools = builtBody(adapter.buildRequest(request, target))['tools'] as { functionDeclarations: unknown }[];
  return tools[0]?.functionDeclarations;
};
const generationConfig = (adapter: ProviderAdapter, target: TargetContext, schema: Record<string, unknown>): unknown =>
  builtBody(adapter.buildRequest(chatRequest({ response_format: { type: 'json_schema', json_schema: { name: 'o', schema } } }), target))['generationConfig'];

/** The reviewer's tool: a map, a free-form object and an array without items. */
const HTTP_GET = {
  type: 'object', required: ['url'],
  properties: {
    url: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'extra headers' },
    metadata: { type: 'object', description: 'free-form' },
    tags: { type: 'array', description: 'labels' },
  },
};

for (const [provider, adapter, target] of ADAPTERS) {
  describe(`${provider}: schemas Gemini's Schema subset cannot express go as JSON Schema`, () => {
    test('a map, a free-form object and an array without items send the original JSON Schema as parametersJsonSchema', () => {
      assert.deepEqual(declarations(adapter, target, chatRequest({ tools: [tool('http_get', HTTP_GET)] })), [{ name: 'http_get', parametersJsonSchema: HTTP_GET }]);
    });

    test('each node kind alone is enough: nested empty object, map, free-form object, array without items (also inside a union)', () => {
      const nested = [
        { type: 'object', properties: {} },
        { type: 'object', additionalProperties: { type: 'integer' } },
        { type: 'object' },
        { type: 'array' },
        { type: ['string', 'array'] },
        { type: 'array', items: { type: 'object' } },
        { anyOf: [{ type: 'string' }, { type: 'object', properties: { deep: { type: 'object' } } }] },
      ];
      for (const node of nested) {
        const parameters = { type: 'object', properties: { value: node } };
        assert.deepEqual(declarations(adapter, target, chatRequest({ tools: [tool('f', parameters)] })), [{ name: 'f', parametersJsonSchema: parameters }], JSON.stringify(node));
      }
    });

    test('a map at the root is sent as JSON Schema, while an empty root object still means no parameters', () => {
      const map = { type: 'object', additionalProperties: { type: 'string' } };
      assert.deepEqual(declarations(adapter, target, chatRequest({ tools: [tool('env', map)] })), [{ name: 'env', parametersJsonSchema: map }]);
      assert.deepEqual(declarations(adapter, target, chatRequest({ tools: [tool('ping', { type: 'object', properties: {}, additionalProperties: false })] })), [{ name: 'ping' }]);
    });

    test('schemas the Schema subset expresses keep the converted parameters; each tool decides on its own', () => {
      const expressible = { type: 'object', additionalProperties: false, properties: { city: { type: ['string', 'null'] }, place: { type: 'object', properties: { name: { type: 'string' } } } } };
      assert.deepEqual(declarations(adapter, target, chatRequest({ tools: [tool('weather', expressible), tool('http_get', HTTP_GET)] })), [
        { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string', nullable: true }, place: { type: 'object', properties: { name: { type: 'string' } } } } } },
        { name: 'http_get', parametersJsonSchema: HTTP_GET },
      ]);
    });

    test('response_format json_schema with a map sends responseJsonSchema instead of responseSchema', () => {
      const nested = { type: 'object', properties: { attrs: { type: 'object', additionalProperties: { type: 'string' } } } };
      assert.deepEqual(generationConfig(adapter, target, nested), { responseMimeType: 'application/json', responseJsonSchema: nested });
      const root = { type: 'object', additionalProperties: { type: 'number' } };
      assert.deepEqual(generationConfig(adapter, target, root), { responseMimeType: 'application/json', responseJsonSchema: root });
      const expressible = { type: 'object', properties: { a: { type: 'string' } } };
      assert.deepEqual(generationConfig(adapter, target, expressible), { responseMimeType: 'application/json', responseSchema: expressible });
    });

    test('a keyword Gemini cannot take is still a 400 naming its path, even when the schema would go as JSON Schema', () => {
      const parameters = { type: 'object', properties: { metadata: { type: 'object' }, code: { type: 'string', not: { const: 'x' } } } };
      const error = buildError(adapter.buildRequest(chatRequest({ tools: [tool('f', parameters)] }), target));
      assert.equal(error.status, 400);
      assert.equal(error.envelope.error.param, 'tools[0].function.parameters.properties.code.not');
    });
  });
}
