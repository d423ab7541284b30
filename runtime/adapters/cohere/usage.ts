/**
 * Cohere usage → OpenAI usage (providers.md §10.2): `tokens` are the tokens the model really processed
 * (template included); `billed_units` only a fallback when they are missing, as vercel and Portkey do.
 * @see https://docs.cohere.com/reference/chat#response.body.usage
 */
import type { Usage } from '../../openai/wire.js';
import { isRecord, numberOr } from '../json-value.js';
import { hasAnyCount, makeUsage } from '../usage.js';

/** Undefined when Cohere reported no count (unknown, never 0: see hasAnyCount). */
export function toOpenAIUsage(value: unknown): Usage | undefined {
  const usage = isRecord(value) ? value : {};
  const tokens = isRecord(usage['tokens']) ? usage['tokens'] : {};
  const billed = isRecord(usage['billed_units']) ? usage['billed_units'] : {};
  const read = (field: string): number | undefined => numberOr(tokens[field]) ?? numberOr(billed[field]);
  if (!hasAnyCount(read('input_tokens'), read('output_tokens'))) return undefined;
  const count = (field: string): number => read(field) ?? 0;
  const cached = numberOr(usage['cached_tokens']);
  return makeUsage(count('input_tokens'), count('output_tokens'), cached === undefined ? {} : { cachedTokens: cached });
}
