/**
 * Provider type → adapter: one frozen instance per type. A manifest entry with `type:` (e.g. a second
 * vLLM server named `team-vllm`) is resolved to its type by the manifest normalizer, so the engine
 * always asks by type. Adding an adapter is one import line and one entry below.
 */
import type { ProviderAdapter, ProviderType } from './contract.js';
import { anthropicAdapter } from './anthropic/index.js';
import { azureOpenAIAdapter } from './azure-openai/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { cohereAdapter } from './cohere/index.js';
import { geminiAdapter } from './gemini/index.js';
import { mistralAdapter } from './mistral/index.js';
import { ollamaAdapter } from './ollama/index.js';
import {
  deepseekAdapter, fireworksAdapter, groqAdapter, openaiAdapter, openrouterAdapter, perplexityAdapter,
  togetherAdapter, vllmAdapter, xaiAdapter,
} from './openai-compatible/index.js';
import { vertexAiAdapter } from './vertex-ai/index.js';

const ADAPTERS: Readonly<Record<ProviderType, ProviderAdapter>> = freezeAll({
  openai: openaiAdapter,
  'azure-openai': azureOpenAIAdapter,
  mistral: mistralAdapter,
  groq: groqAdapter,
  together: togetherAdapter,
  fireworks: fireworksAdapter,
  deepseek: deepseekAdapter,
  xai: xaiAdapter,
  perplexity: perplexityAdapter,
  openrouter: openrouterAdapter,
  vllm: vllmAdapter,
  anthropic: anthropicAdapter,
  cohere: cohereAdapter,
  ollama: ollamaAdapter,
  gemini: geminiAdapter,
  'vertex-ai': vertexAiAdapter,
  bedrock: bedrockAdapter,
});

/** Adapters are shared by every request: frozen so no caller can change one for the others. */
function freezeAll(adapters: Record<ProviderType, ProviderAdapter>): Readonly<Record<ProviderType, ProviderAdapter>> {
  for (const adapter of Object.values(adapters)) Object.freeze(adapter);
  return Object.freeze(adapters);
}

export function getAdapter(type: ProviderType): ProviderAdapter {
  return ADAPTERS[type];
}

/**
 * Whether a type has its adapter. Every provider type is registered now; kept because callers written
 * while adapters were still being built guard on it (test/e2e/round-trip.test.ts).
 */
export function isAdapterBuilt(type: ProviderType): boolean {
  return Object.hasOwn(ADAPTERS, type);
}
