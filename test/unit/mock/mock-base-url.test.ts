import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { mockBaseUrl } from '../../../runtime/mock/mock-base-url.js';

test('a provider\'s mock base URL is /<provider-id> plus the path of its default base URL', () => {
  const origin = 'http://127.0.0.1:8090';
  const expected: Record<string, string> = {
    openai: '/openai/v1', 'azure-openai': '/azure-openai', anthropic: '/anthropic', bedrock: '/bedrock',
    gemini: '/gemini', 'vertex-ai': '/vertex-ai', mistral: '/mistral/v1', cohere: '/cohere',
    groq: '/groq/openai/v1', together: '/together/v1', fireworks: '/fireworks/inference/v1', deepseek: '/deepseek',
    xai: '/xai/v1', perplexity: '/perplexity', openrouter: '/openrouter/api/v1', ollama: '/ollama', vllm: '/vllm/v1',
  };
  for (const type of PROVIDER_TYPES) assert.equal(mockBaseUrl(type, origin), `${origin}${expected[type]}`, type);
  assert.equal(mockBaseUrl('openai', `${origin}/`), `${origin}/openai/v1`, 'a trailing slash on the origin is ignored');
});
