/**
 * Provider type → adapter: one frozen instance per type. A manifest entry with `type:` (e.g. a second
 * vLLM server named `team-vllm`) is resolved to its type by the manifest normalizer, so the engine
 * always asks by type. Adding an adapter is one import line and one entry below.
 */
import { AigwError, ERRORS } from '../errors.js';
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

const NOT_BUILT = new WeakSet<ProviderAdapter>();

const ADAPTERS: Readonly<Record<ProviderType, ProviderAdapter>> = Object.freeze({
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

export function getAdapter(type: ProviderType): ProviderAdapter {
  return ADAPTERS[type];
}

/** False while a type still has the placeholder below (tests and the capability matrix skip nothing silently: they report it). */
export function isAdapterBuilt(type: ProviderType): boolean {
  return !NOT_BUILT.has(ADAPTERS[type]);
}

/** A placeholder whose every call is an internal error naming the missing adapter. */
function notBuilt(type: ProviderType): ProviderAdapter {
  const fail = (): never => {
    throw new AigwError(ERRORS.INTERNAL, `The '${type}' adapter is not built yet.`);
  };
  const adapter: ProviderAdapter = Object.freeze({
    type,
    params: Object.freeze({ rules: Object.freeze({}), unknown: 'unsupported' as const }),
    supportsPrefill: false,
    buildRequest: fail,
    parseResponse: fail,
    createStreamTranslator: fail,
    parseError: fail,
  });
  NOT_BUILT.add(adapter);
  return adapter;
}
