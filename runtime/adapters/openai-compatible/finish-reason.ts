/**
 * Finish reasons of OpenAI-compatible providers → OpenAI's four values (style §H). Unknown values map
 * to `stop`; the caller keeps the raw value for audit. `error` is not a finish reason at all: the
 * stream/response translators turn it into an error (never a clean-looking `stop`).
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 * @see /work/shared/providers.md §7.3 (Mistral), §9 (Together `eos`, DeepSeek), §10.1
 */
import type { FinishReason } from '../../openai/wire.js';
import { ownValue } from '../../own-value.js';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  // Legacy OpenAI function calling; Together still reports it.
  function_call: 'tool_calls',
  // Together (TGI heritage): end of sequence.
  eos: 'stop',
  // Mistral: the model's own context window ended the answer.
  model_length: 'length',
  // DeepSeek: generation cut short for lack of capacity. The answer is incomplete, so `length` (cut
  // short) is the honest OpenAI value, not `stop` (which clients read as a finished answer).
  insufficient_system_resource: 'length',
};

/** Provider finish values that report a failure rather than an end (OpenRouter, Mistral). */
export const ERROR_FINISH_REASONS: ReadonlySet<string> = new Set(['error']);

/**
 * A `stop` with tool calls emitted is reported as `tool_calls` (some OpenAI-compatible servers, e.g.
 * older vLLM parsers, say `stop`): clients decide whether to run tools from this value.
 */
export function mapFinishReason(raw: string, hasToolCalls: boolean): FinishReason {
  const mapped = ownValue(FINISH_REASONS, raw) ?? 'stop';
  return mapped === 'stop' && hasToolCalls ? 'tool_calls' : mapped;
}
