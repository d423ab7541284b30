/** The OpenAI-compatible adapters, one frozen instance per profile. */
import { createOpenAICompatibleAdapter } from './adapter.js';
import { PROFILES } from './profiles.js';

export const openaiAdapter = createOpenAICompatibleAdapter(PROFILES.openai);
export const groqAdapter = createOpenAICompatibleAdapter(PROFILES.groq);
export const togetherAdapter = createOpenAICompatibleAdapter(PROFILES.together);
export const fireworksAdapter = createOpenAICompatibleAdapter(PROFILES.fireworks);
export const deepseekAdapter = createOpenAICompatibleAdapter(PROFILES.deepseek);
export const xaiAdapter = createOpenAICompatibleAdapter(PROFILES.xai);
export const perplexityAdapter = createOpenAICompatibleAdapter(PROFILES.perplexity);
export const openrouterAdapter = createOpenAICompatibleAdapter(PROFILES.openrouter);
export const vllmAdapter = createOpenAICompatibleAdapter(PROFILES.vllm);
export { PROFILES, type OpenAICompatibleProfile, type OpenAICompatibleType } from './profiles.js';
