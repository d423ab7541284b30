/**
 * OpenAI takes a function's `parameters` without a top-level `type` (`{}`, or `properties` alone, as
 * some MCP and agent tools write them). Anthropic requires `input_schema.type: "object"` and answers
 * 400 "tools.0.custom.input_schema.type: Field required" otherwise, and so does Claude on Bedrock
 * Converse: the adapters must send the object type the schema implies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderAdapter, TargetContext } from '../../../runtime/adapters/contract.js';
import { anthropicAdapter } from '../../../runtime/adapters/anthropic/index.js';
import { bedrockAdapter } from '../../../runtime/adapters/bedrock/index.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

interface Case {
  readonly adapter: ProviderAdapter;
  readonly target: TargetContext;
  /** The tool schemas of a built body, in order. */
  readonly schemas: (body: Record<string, unknown>) => unknown[];
}

const CASES: Readonly<Record<string, Case>> = {
  anthropic: {
    adapter: anthropicAdapter,
    target: makeTarget('anthropic', 'claude-haiku-4-5', 'https://api.anthropic.com'),
    schemas: (body) => (body['tools'] as { input_schema: unknown }[]).map((tool) => tool.input_schema),
  },
  bedrock: {
    adapter: bedrockAdapter,
    target: makeTarget('bedrock', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'https://bedrock-runtime.us-east-1.amazonaws.com', {
      settings: { region: 'us-east-1' }, credentials: { access_key_id: literalSecret('AKID'), secret_access_key: literalSecret('secret') },
    }),
    schemas: (body) => ((body['toolConfig'] as { tools: { toolSpec: { inputSchema: { json: unknown } } }[] }).tools).map((tool) => tool.toolSpec.inputSchema.json),
  },
};

const tool = (name: string, parameters?: Record<string, unknown>) => ({ type: 'function' as const, function: { name, ...(parameters === undefined ? {} : { parameters }) } });

for (const [provider, { adapter, target, schemas }] of Object.entries(CASES)) {
  describe(`${provider}: a tool schema without a top-level type is sent as an object schema`, () => {
    const sent = (...tools: ReturnType<typeof tool>[]) => schemas(builtBody(adapter.buildRequest(chatRequest({ tools }), target)));

    test('empty parameters ({}) are a tool without parameters', () => {
      assert.deepEqual(sent(tool('ping', {})), [{ type: 'object', properties: {} }]);
    });

    test('properties without a type get type object, the rest of the schema unchanged', () => {
      const parameters = { properties: { city: { type: 'string' } }, required: ['city'] };
      assert.deepEqual(sent(tool('weather', parameters)), [{ type: 'object', ...parameters }]);
    });

    test('a schema that states its type, or no parameters at all, is sent as before', () => {
      const parameters = { type: 'object', properties: { city: { type: 'string' } } };
      assert.deepEqual(sent(tool('weather', parameters), tool('ping')), [parameters, { type: 'object', properties: {} }]);
    });
  });
}
