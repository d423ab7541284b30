/**
 * Ollama `done_reason` → OpenAI `finish_reason` (providers.md §8.1, §10.1): `length` → length;
 * `stop` → tool_calls when the answer holds tool calls (Ollama has no tool-call reason), else stop;
 * `load` / `unload` and unknown values → stop, the raw value kept for audit.
 * @see https://github.com/ollama/ollama/blob/main/llm/server.go
 */
import type { FinishReason } from '../../openai/wire.js';

export function mapDoneReason(doneReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
