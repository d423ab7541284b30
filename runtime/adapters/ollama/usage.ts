/**
 * Ollama counts → OpenAI usage (providers.md §10.2): `prompt_eval_count` and `eval_count`, each omitted
 * by the server when zero (omitempty), so one missing count is 0. Both missing is a line that reports
 * no usage at all (an answer always evaluates something): unknown, never 0 (see hasAnyCount).
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#response-9
 */
import type { Usage } from '../../openai/wire.js';
import { numberOr } from '../json-value.js';
import { hasAnyCount, makeUsage } from '../usage.js';

export function toOpenAIUsage(response: Readonly<Record<string, unknown>>): Usage | undefined {
  const prompt = numberOr(response['prompt_eval_count']);
  const completion = numberOr(response['eval_count']);
  if (!hasAnyCount(prompt, completion)) return undefined;
  return makeUsage(prompt ?? 0, completion ?? 0);
}
