/**
 * Cohere usage → OpenAI usage (providers.md §10.2): `tokens` are the tokens the model really processed
 * (template included); `billed_units` only a fallback when they are missing, as vercel and Portkey do.
 * @see https://docs.cohere.com/reference/chat#response.body.usage
 */
import type { Usage } from '../../openai/wire.js';
import { isRecord, numberOr } from '../json-value.js';
import { makeUsage } from '../usage.js';

export function toOpenAIUsage(value: unknown): Usage {
  const usage = isRecord(value) ? value : {};
  const tokens = isRecord(usage['tokens']) ? usage['tokens'] : {};
  const billed = isRecord(usage['billed_units']) ? usage['billed_units'] : {};
  const count = (field: string): number => numberOr(tokens[field]) ?? numberOr(billed[field]) ?? 0;
  const cached = numberOr(usage['cached_tokens']);
  return makeUsage(count('input_tokens'), count('output_tokens'), cached === undefined ? {} : { cachedTokens: cached });
}
