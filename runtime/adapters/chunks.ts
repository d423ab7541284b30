/**
 * Builds OpenAI `chat.completion.chunk` objects the way OpenAI sends them (providers.md §1.4, §1.6):
 * a role chunk first, then content or tool-call deltas, a chunk with an empty delta and the
 * finish_reason, then — only when the client asked — a usage chunk with `choices: []`. When usage is
 * requested every other chunk carries `"usage": null`, as OpenAI's do. `[DONE]` is the SSE writer's job.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
import type { ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from '../openai/wire.js';
import type { ResponseContext } from './contract.js';

export interface ChunkFactory {
  /** The first chunk of a stream: `{role: "assistant", content: ""}`. */
  role(): ChatCompletionChunk;
  delta(delta: ChunkDelta): ChatCompletionChunk;
  finish(reason: FinishReason): ChatCompletionChunk;
  /** The usage chunk (`choices: []`); callers emit it only when `context.includeUsage`. */
  usage(usage: Usage): ChatCompletionChunk;
}

/**
 * `id` and `model` default to the context's; a provider that names its own (OpenAI-compatible ones,
 * Anthropic's message id) passes them through `overrides` once known.
 */
export function createChunkFactory(context: ResponseContext, overrides: { id?: string; model?: string } = {}): ChunkFactory {
  return new ContextChunkFactory(context.includeUsage, overrides.id ?? context.completionId, context.created, overrides.model ?? context.model);
}

/** A class, not an object of closures: one is held for every open stream (issue 8 memory). */
class ContextChunkFactory implements ChunkFactory {
  constructor(private readonly includeUsage: boolean, private readonly id: string, private readonly created: number, private readonly model: string) {}

  role(): ChatCompletionChunk {
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  delta(delta: ChunkDelta): ChatCompletionChunk {
    return this.chunk(delta, null);
  }

  finish(reason: FinishReason): ChatCompletionChunk {
    return this.chunk({}, reason);
  }

  usage(usage: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }

  // One literal per chunk (no spreads): this runs for every chunk of every stream (issue 8 profile).
  // Keys in this order let the SSE writer serialise only the delta (openai/chunk-json.ts).
  private chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const { id, created, model } = this;
    return this.includeUsage
      ? { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], usage: null }
      : { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }
}
