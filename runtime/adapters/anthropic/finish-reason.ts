/**
 * Anthropic `stop_reason` → OpenAI `finish_reason` (providers.md §10.1). Unknown values become `stop`;
 * the raw value is kept by the caller for audit (style §H "Finish reasons").
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 */
import type { FinishReason } from '../../openai/wire.js';

const STOP_REASONS: ReadonlyMap<string, FinishReason> = new Map<string, FinishReason>([
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
]);

export function mapStopReason(stopReason: string | null | undefined): FinishReason {
  return (typeof stopReason === 'string' ? STOP_REASONS.get(stopReason) : undefined) ?? 'stop';
}
