/**
 * Ollama counts → OpenAI usage (providers.md §10.2): `prompt_eval_count` and `eval_count`, both omitted
 * by the server when zero (omitempty), so a missing count is 0.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#response-9
 */
import type { Usage } from '../../openai/wire.js';
import { numberOr } from '../json-value.js';
import { makeUsage } from '../usage.js';

export function toOpenAIUsage(response: Readonly<Record<string, unknown>>): Usage {
  return makeUsage(numberOr(response['prompt_eval_count']) ?? 0, numberOr(response['eval_count']) ?? 0);
}
