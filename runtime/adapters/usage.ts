/**
 * Provider usage → OpenAI `usage`. Cached prompt tokens are reported in `prompt_tokens_details` and
 * counted in `prompt_tokens` (design §10.7: cached tokens must not vanish from accounting).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
import type { Usage } from '../openai/wire.js';
import type { Mutable } from '../mutable.js';

export function makeUsage(promptTokens: number, completionTokens: number, details: { cachedTokens?: number; reasoningTokens?: number } = {}): Usage {
  const usage: Mutable<Usage> = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (details.cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: details.cachedTokens };
  if (details.reasoningTokens !== undefined) usage.completion_tokens_details = { reasoning_tokens: details.reasoningTokens };
  return usage;
}

/** Usage of zero, for a stream that ended before the provider reported any. */
export const ZERO_USAGE: Usage = Object.freeze(makeUsage(0, 0));
