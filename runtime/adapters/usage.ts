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

/**
 * Whether a provider usage object reported any count. Adapters return no usage at all when it did not:
 * a missing report is unknown, never 0 (design §3.8 "usage is that model's usage"; §5 settles quotas
 * with the real usage, so a made-up 0 would release the reservation and let a client past its quota).
 */
export function hasAnyCount(...counts: readonly unknown[]): boolean {
  return counts.some((count) => typeof count === 'number' && Number.isFinite(count));
}
