/**
 * Shared bookkeeping for streamed tool calls, so every adapter emits OpenAI's shape (providers.md §1.4):
 * the first delta of a call carries `index`, `id`, `type` and `function.name` with `arguments: ""`;
 * later deltas carry only `index` and an `arguments` fragment. Indexes count from 0 in the order calls
 * start, whatever key the provider uses (Anthropic/Bedrock content-block index, Cohere index, …).
 */
import type { ToolCallDelta } from '../openai/wire.js';

export interface ToolCallTracker {
  /** Opens a call under the provider's key; returns the first delta (id, type, name, empty arguments). */
  start(key: string | number, id: string, name: string): ToolCallDelta;
  /** An arguments fragment for an open call; undefined when the key was never started. */
  append(key: string | number, fragment: string): ToolCallDelta | undefined;
  /** Whether the key names an open tool call (vs. a text block). */
  has(key: string | number): boolean;
  /** How many calls have started: > 0 means the finish reason is `tool_calls`. */
  readonly count: number;
}

export function createToolCallTracker(): ToolCallTracker {
  return new KeyedToolCallTracker();
}

/** A class whose map is made with the first call: most streams carry none (issue 8 memory). */
class KeyedToolCallTracker implements ToolCallTracker {
  private indexes: Map<string | number, number> | undefined;

  start(key: string | number, id: string, name: string): ToolCallDelta {
    this.indexes ??= new Map();
    const index = this.indexes.size;
    this.indexes.set(key, index);
    return { index, id, type: 'function', function: { name, arguments: '' } };
  }

  append(key: string | number, fragment: string): ToolCallDelta | undefined {
    const index = this.indexes?.get(key);
    return index === undefined ? undefined : { index, function: { arguments: fragment } };
  }

  has(key: string | number): boolean {
    return this.indexes?.has(key) === true;
  }

  get count(): number {
    return this.indexes?.size ?? 0;
  }
}
