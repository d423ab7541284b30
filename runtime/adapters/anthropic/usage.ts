/**
 * Anthropic usage → OpenAI usage (providers.md §10.2): `input_tokens` excludes cache reads and writes,
 * so the prompt is their sum; cache reads are reported as `cached_tokens` (design §10.7).
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
import type { Usage } from '../../openai/wire.js';
import { isRecord } from '../json-value.js';
import { hasAnyCount, makeUsage } from '../usage.js';
import type { WireUsage } from './wire.js';
import type { Mutable } from '../../mutable.js';

/** Undefined when Anthropic reported no count (unknown, never 0: see hasAnyCount). */
export function toOpenAIUsage(usage: WireUsage): Usage | undefined {
  if (!hasAnyCount(usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens)) return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + cacheRead + count(usage.cache_creation_input_tokens);
  return makeUsage(prompt, count(usage.output_tokens), { cachedTokens: cacheRead });
}

/** Merges a later usage report (message_delta) over an earlier one (message_start): present fields win. */
export function mergeUsage(earlier: WireUsage, later: Readonly<Record<string, unknown>>): WireUsage {
  const merged: Mutable<WireUsage> = { ...earlier };
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const value = later[key];
    if (typeof value === 'number') merged[key] = value;
  }
  return merged;
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The usage object of a Message, `message_start` or `message_delta`, keeping only numeric fields. */
export function readUsage(value: unknown): WireUsage {
  return isRecord(value) ? mergeUsage({}, value) : {};
}
