/**
 * Shared bookkeeping for streamed tool calls, so every adapter emits OpenAI's shape (providers.md §1.4):
 * the first delta of a call carries `index`, `id`, `type` and `function.name` with `arguments: ""`;
 * later deltas carry only `index` and an `arguments` fragment. Indexes count from 0 in the order calls
 * start, whatever key the provider uses (Anthropic/Bedrock content-block index, Cohere index, …).
 * A call whose provider sent no argument text (a tool without parameters: Anthropic's `""` fragment,
 * Bedrock's and Cohere's empty input) is closed with `arguments: "{}"`, as OpenAI streams it and as the
 * non-stream answer gives it: the concatenated arguments are always JSON a client can parse.
 */
import type { ToolCallDelta } from '../openai/wire.js';

export interface ToolCallTracker {
  /** Opens a call under the provider's key; returns the first delta (id, type, name, empty arguments). */
  start(key: string | number, id: string, name: string): ToolCallDelta;
  /** An arguments fragment for an open call; undefined when the key was never started. */
  append(key: string | number, fragment: string): ToolCallDelta | undefined;
  /** Whether the key names an open tool call (vs. a text block). */
  has(key: string | number): boolean;
  /** Ends a call: `{}` as its arguments when none arrived, else undefined (also for an unknown key). */
  close(key: string | number): ToolCallDelta | undefined;
  /** Ends every call still open (at the finish): the `{}` deltas of those that got no arguments. */
  closeAll(): ToolCallDelta[];
  /** How many calls have started: > 0 means the finish reason is `tool_calls`. */
  readonly count: number;
}

export function createToolCallTracker(): ToolCallTracker {
  return new KeyedToolCallTracker();
}

/** A class whose map is made with the first call: most streams carry none (issue 8 memory). */
class KeyedToolCallTracker implements ToolCallTracker {
  private calls: Map<string | number, OpenCall> | undefined;

  start(key: string | number, id: string, name: string): ToolCallDelta {
    this.calls ??= new Map();
    const index = this.calls.size;
    this.calls.set(key, { index, hasArguments: false, closed: false });
    return { index, id, type: 'function', function: { name, arguments: '' } };
  }

  append(key: string | number, fragment: string): ToolCallDelta | undefined {
    const call = this.calls?.get(key);
    if (call === undefined) return undefined;
    if (fragment.length > 0) call.hasArguments = true;
    return { index: call.index, function: { arguments: fragment } };
  }

  has(key: string | number): boolean {
    return this.calls?.has(key) === true;
  }

  close(key: string | number): ToolCallDelta | undefined {
    const call = this.calls?.get(key);
    return call === undefined ? undefined : closeCall(call);
  }

  closeAll(): ToolCallDelta[] {
    const deltas: ToolCallDelta[] = [];
    for (const call of this.calls?.values() ?? []) {
      const delta = closeCall(call);
      if (delta !== undefined) deltas.push(delta);
    }
    return deltas;
  }

  get count(): number {
    return this.calls?.size ?? 0;
  }
}

interface OpenCall {
  readonly index: number;
  hasArguments: boolean;
  closed: boolean;
}

function closeCall(call: OpenCall): ToolCallDelta | undefined {
  if (call.closed) return undefined;
  call.closed = true;
  return call.hasArguments ? undefined : { index: call.index, function: { arguments: '{}' } };
}
