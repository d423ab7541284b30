/**
 * Tool calls as Ollama returns them: whole (never in fragments), arguments as a JSON object, and an id
 * only from servers recent enough to assign one. OpenAI needs arguments as a string and an id, so the
 * arguments are serialised and a missing id is derived from the completion id and the call's index —
 * deterministic (adapters use no randomness) and unique per response.
 * @see providers.md §8.1
 */
import type { ResponseContext } from '../contract.js';
import { isRecord, stringOr } from '../json-value.js';

export interface OllamaToolCall {
  readonly id: string | undefined;
  readonly name: string;
  /** JSON text, as OpenAI carries it. */
  readonly arguments: string;
}

/**
 * The calls, or undefined when one of them has no function name: a tool call the gateway cannot pass
 * on makes the answer malformed (another target may do better), never a shorter list that looks whole
 * (design §10.6).
 */
export function readToolCalls(value: unknown): OllamaToolCall[] | undefined {
  if (!Array.isArray(value)) return [];
  const calls: OllamaToolCall[] = [];
  // Array.isArray narrows to any[]; read the calls as unknown and narrow each.
  for (const call of value as readonly unknown[]) {
    if (!isRecord(call) || !isRecord(call['function'])) return undefined;
    const name = stringOr(call['function']['name']);
    if (name === undefined || name === '') return undefined;
    const rawArguments = call['function']['arguments'];
    calls.push({
      id: stringOr(call['id']),
      name,
      arguments: typeof rawArguments === 'string' ? rawArguments : JSON.stringify(rawArguments ?? {}),
    });
  }
  return calls;
}

/** `call_<completion id without its chatcmpl- prefix>_<index>`, e.g. `call_fixture_0`. */
export function toolCallId(context: ResponseContext, index: number): string {
  return `call_${context.completionId.replace(/^chatcmpl-/, '')}_${index}`;
}
