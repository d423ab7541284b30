/**
 * Provider usage → OpenAI `usage`. Cached prompt tokens are reported in `prompt_tokens_details` and
 * counted in `prompt_tokens` (design §10.7: cached tokens must not vanish from accounting).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
import type { Usage } from '../openai/wire.js';
import type { Mutable } from '../mutable.js';

/** More tokens than any one request has: a count above it is not a count (1e308 summed to Infinity). */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/**
 * A token count as a provider should send it: a whole number from 0 to MAX_TOKEN_COUNT. Anything else
 * (negative, NaN, 1e308, a string) is no count: it would reach the client, the audit record, the
 * quota settlement and the metrics (a counter cannot decrease, nor hold Infinity).
 */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT ? value : undefined;
}

/** Counts that are no token count (see tokenCount) are taken as 0, as a missing one is. */
export function makeUsage(promptTokens: number, completionTokens: number, details: { cachedTokens?: number; reasoningTokens?: number } = {}): Usage {
  const prompt = tokenCount(promptTokens) ?? 0;
  const completion = tokenCount(completionTokens) ?? 0;
  const usage: Mutable<Usage> = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  const cached = tokenCount(details.cachedTokens);
  const reasoning = tokenCount(details.reasoningTokens);
  if (cached !== undefined) usage.prompt_tokens_details = { cached_tokens: cached };
  if (reasoning !== undefined) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

/**
 * Whether a provider usage object reported any count. Adapters return no usage at all when it did not:
 * a missing report is unknown, never 0 (design §3.8 "usage is that model's usage"; §5 settles quotas
 * with the real usage, so a made-up 0 would release the reservation and let a client past its quota).
 */
export function hasAnyCount(...counts: readonly unknown[]): boolean {
  return counts.some((count) => tokenCount(count) !== undefined);
}
