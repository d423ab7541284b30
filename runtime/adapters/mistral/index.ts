/**
 * Mistral chat completions: OpenAI-like, with its own request differences — `seed` is `random_seed`,
 * `max_completion_tokens` is `max_tokens`, tool_choice `required` is sent as Mistral's `any`, tool-call
 * ids are rewritten to its nine-character form, there is no `user`, `logit_bias` or `stream_options`
 * (usage comes on the finish chunk unasked) and unknown fields are rejected upstream, so the table
 * lists what passes (Mistral's own `safe_prompt`, `prompt_mode`, … included). Answers go through the
 * shared OpenAI-family translators: `model_length` → `length`, whole tool calls without `index`/`type`
 * are normalised, the `error` finish is a stream error, and `{object:"error",…}` bodies are read.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post
 * @see /work/shared/providers.md §7
 */
import type { ProviderAdapter } from '../contract.js';
import { createFamilyAdapter } from '../openai-compatible/family.js';
import { joinUrl, paramTable } from '../openai-compatible/request.js';
import { OPENAI_DEFAULT_VALUES } from '../openai-default-values.js';
import { rewriteToolCallIds } from './tool-call-ids.js';

/** @see mistralai/client-ts `ChatCompletionRequest$Outbound` (providers.md §7.2) */
const SUPPORTED = [
  'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'random_seed',
  'presence_penalty', 'frequency_penalty', 'response_format', 'tools', 'tool_choice', 'parallel_tool_calls',
  'prediction', 'reasoning_effort', 'metadata', 'prompt_cache_key', 'safe_prompt', 'prompt_mode', 'guardrails',
];

const table = paramTable([
  { param: 'user', reason: 'Mistral has no user field' },
  { param: 'logit_bias', reason: 'Mistral does not support logit_bias' },
], 'unsupported', SUPPORTED);

export const mistralAdapter: ProviderAdapter = createFamilyAdapter({
  type: 'mistral',
  // OpenAI's store: false, modalities ["text"], service_tier auto/default ask nothing: accepted, not sent
  // (Mistral refuses fields it does not know).
  params: { ...table, rules: { ...table.rules, ...OPENAI_DEFAULT_VALUES } },
  supportsPrefill: false,
  body: {
    developerRoleAs: 'system',
    streamUsage: 'native',
    renames: { max_completion_tokens: 'max_tokens', seed: 'random_seed' },
    values: (param, value) => (param === 'tool_choice' && value === 'required' ? 'any' : value),
    omit: new Set(Object.keys(OPENAI_DEFAULT_VALUES)),
    messages: rewriteToolCallIds,
    // Mistral continues a final assistant message only when it is marked as a prefix.
    prefill: { message: { role: 'assistant', prefix: true }, fields: {} },
  },
  url: (target) => joinUrl(target.baseUrl, '/chat/completions'),
  auth: (target) => {
    const key = target.credentials['api_key'];
    return key === undefined ? undefined : { kind: 'bearer', secret: key };
  },
  credentialField: 'api_key',
});
