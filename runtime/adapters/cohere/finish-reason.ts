/**
 * Cohere `finish_reason` → OpenAI `finish_reason` (providers.md §6.6, §10.1). `ERROR` and `TIMEOUT`
 * mean the generation failed: they are not a finish at all but an error for the attempt (never a
 * truncated answer reported as `stop`). Unknown values become `stop`, the raw value kept for audit.
 * @see https://docs.cohere.com/reference/chat#response.body.finish_reason
 */
import type { FinishReason } from '../../openai/wire.js';

const FINISH_REASONS: ReadonlyMap<string, FinishReason> = new Map<string, FinishReason>([
  ['COMPLETE', 'stop'],
  ['STOP_SEQUENCE', 'stop'],
  ['MAX_TOKENS', 'length'],
  ['TOOL_CALL', 'tool_calls'],
]);

const FAILED = new Set(['ERROR', 'TIMEOUT']);

export type CohereFinish =
  | { readonly kind: 'finish'; readonly reason: FinishReason }
  | { readonly kind: 'failed' };

export function mapFinishReason(raw: string | undefined): CohereFinish {
  if (raw !== undefined && FAILED.has(raw)) return { kind: 'failed' };
  return { kind: 'finish', reason: (raw === undefined ? undefined : FINISH_REASONS.get(raw)) ?? 'stop' };
}
