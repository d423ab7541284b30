/**
 * Usage of OpenAI-compatible providers → OpenAI `usage`. Read from `usage` or, for Groq's older stream
 * format, `x_groq.usage`. DeepSeek reports cache hits as `prompt_cache_hit_tokens` (already counted in
 * `prompt_tokens`), surfaced as `prompt_tokens_details.cached_tokens` (design §10.7).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 * @see /work/shared/providers.md §9 (Groq x_groq, DeepSeek cache fields), §10.2
 */
import type { Usage } from '../../openai/wire.js';
import { asRecord } from '../error-common.js';
import { tokenCount } from '../usage.js';

/** The usage carried by a response body or a stream chunk, if any. */
export function readUsage(container: Readonly<Record<string, unknown>>): Usage | undefined {
  return normalizeUsage(container['usage']) ?? normalizeUsage(asRecord(container['x_groq'])?.['usage']);
}

function normalizeUsage(value: unknown): Usage | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const prompt = count(raw['prompt_tokens']);
  const completion = count(raw['completion_tokens']);
  if (prompt === undefined && completion === undefined) return undefined;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? 0;
  const usage: { -readonly [K in keyof Usage]: Usage[K] } = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: count(raw['total_tokens']) ?? promptTokens + completionTokens,
  };
  const promptDetails = numericEntries(raw['prompt_tokens_details']);
  const cacheHits = count(raw['prompt_cache_hit_tokens']);
  if (cacheHits !== undefined && promptDetails['cached_tokens'] === undefined) promptDetails['cached_tokens'] = cacheHits;
  if (Object.keys(promptDetails).length > 0) usage.prompt_tokens_details = promptDetails;
  const completionDetails = numericEntries(raw['completion_tokens_details']);
  if (Object.keys(completionDetails).length > 0) usage.completion_tokens_details = completionDetails;
  return usage;
}

const count = tokenCount;

function numericEntries(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, entry] of Object.entries(asRecord(value) ?? {})) {
    const number = count(entry);
    if (number !== undefined) out[key] = number;
  }
  return out;
}
