/**
 * The OpenAI-compatible providers are data, not code (style §H; vercel openai-compatible, Portkey
 * open-ai-base): one adapter, parametrised by these profiles. Base URLs are the defaults of
 * `provider-defaults.ts` (the manifest may override them); everything here is what differs in the
 * request: auth, roles, the max-tokens field, usage on streams, prefill, and parameters the provider
 * cannot honour (a 400 `unsupported_parameter`, or a recorded drop with `drop_params`).
 * Response quirks (Groq `x_groq.usage`, Together `eos`, DeepSeek `reasoning_content` and cache fields,
 * Perplexity `citations`, OpenRouter comments and in-stream errors) are read by the shared translators,
 * which accept all of them from every profile.
 * @see /work/shared/providers.md §9
 */
import type { ProviderType } from '../contract.js';
import type { UnsupportedParam } from './request.js';

/** The provider types served by this adapter. */
export type OpenAICompatibleType = Extract<ProviderType,
  'openai' | 'groq' | 'together' | 'fireworks' | 'deepseek' | 'xai' | 'perplexity' | 'openrouter' | 'vllm'>;

export interface OpenAICompatibleProfile {
  readonly type: OpenAICompatibleType;
  /** `bearer-when-configured`: self-hosted servers (vLLM) need a key only when started with one. */
  readonly auth: 'bearer' | 'bearer-when-configured';
  readonly developerRoleAs: 'developer' | 'system';
  /** Where OpenAI's `max_completion_tokens` goes: kept, or renamed to the provider's `max_tokens`. */
  readonly maxTokensParam: 'max_completion_tokens' | 'max_tokens';
  /** `force-include` sends `stream_options.include_usage: true`; `native` providers report usage unasked. */
  readonly streamUsage: 'native' | 'force-include';
  readonly unsupported: readonly UnsupportedParam[];
  /** Continuation prefill (design §3.6): fields that make the server continue the final assistant message. */
  readonly supportsPrefill: boolean;
  readonly prefillFields: Readonly<Record<string, unknown>>;
  /** One line for the README providers section. */
  readonly note: string;
  readonly docs: string;
}

const NO_TOOLS_REASON = 'this provider has no function calling';

const base = {
  auth: 'bearer',
  developerRoleAs: 'system',
  maxTokensParam: 'max_tokens',
  streamUsage: 'force-include',
  unsupported: [],
  supportsPrefill: false,
  prefillFields: {},
} as const;

export const PROFILES: Readonly<Record<OpenAICompatibleType, OpenAICompatibleProfile>> = {
  openai: {
    ...base,
    type: 'openai',
    developerRoleAs: 'developer',
    maxTokensParam: 'max_completion_tokens',
    note: 'The baseline: the body passes through (unknown fields included); `developer` kept.',
    docs: 'https://platform.openai.com/docs/api-reference/chat/create',
  },
  groq: {
    ...base,
    type: 'groq',
    maxTokensParam: 'max_completion_tokens',
    unsupported: [
      { param: 'logit_bias', reason: 'Groq does not support logit_bias' },
    ],
    note: 'Usage also read from `x_groq.usage` on the final stream chunk.',
    docs: 'https://console.groq.com/docs/openai',
  },
  together: {
    ...base,
    type: 'together',
    note: 'Finish reason `eos` → `stop`; `max_completion_tokens` sent as `max_tokens`.',
    docs: 'https://docs.together.ai/reference/chat-completions-1',
  },
  fireworks: {
    ...base,
    type: 'fireworks',
    note: '`max_completion_tokens` sent as `max_tokens`.',
    docs: 'https://docs.fireworks.ai/api-reference/post-chatcompletions',
  },
  deepseek: {
    ...base,
    type: 'deepseek',
    unsupported: [
      { param: 'response_format', reason: 'DeepSeek supports json_object but not json_schema', when: (value) => isFormat(value, 'json_schema') },
      { param: 'logit_bias', reason: 'DeepSeek does not support logit_bias' },
    ],
    note: '`reasoning_content` is not part of OpenAI\'s shape and is dropped; cache hits → `prompt_tokens_details.cached_tokens`; `insufficient_system_resource` → `length`.',
    docs: 'https://api-docs.deepseek.com/api/create-chat-completion',
  },
  xai: {
    ...base,
    type: 'xai',
    maxTokensParam: 'max_completion_tokens',
    note: 'Pass-through with `developer` mapped to `system`.',
    docs: 'https://docs.x.ai/docs/api-reference#chat-completions',
  },
  perplexity: {
    ...base,
    type: 'perplexity',
    streamUsage: 'native',
    unsupported: [
      { param: 'tools', reason: NO_TOOLS_REASON },
      { param: 'tool_choice', reason: NO_TOOLS_REASON },
      { param: 'parallel_tool_calls', reason: NO_TOOLS_REASON },
      { param: 'seed', reason: 'Perplexity does not support seed' },
      { param: 'logit_bias', reason: 'Perplexity does not support logit_bias' },
      { param: 'response_format', reason: 'Perplexity supports json_schema but not json_object', when: (value) => isFormat(value, 'json_object') },
    ],
    note: 'No tools. `citations`/`search_results` are dropped (strict OpenAI shape); usage arrives on every chunk unasked.',
    docs: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
  },
  openrouter: {
    ...base,
    type: 'openrouter',
    note: 'SSE keep-alive comments skipped; in-stream `error` events end the stream with an error; 402 (no credits) is an operator fault.',
    docs: 'https://openrouter.ai/docs/api-reference/chat-completion',
  },
  vllm: {
    ...base,
    type: 'vllm',
    auth: 'bearer-when-configured',
    maxTokensParam: 'max_completion_tokens',
    supportsPrefill: true,
    prefillFields: { continue_final_message: true, add_generation_prompt: false },
    note: 'Bearer only when a key is configured; stream continuation via `continue_final_message`.',
    docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html',
  },
};

function isFormat(value: unknown, type: string): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}
