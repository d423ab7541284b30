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
  const base = (): { id: string; object: 'chat.completion.chunk'; created: number; model: string } => ({
    id: overrides.id ?? context.completionId,
    object: 'chat.completion.chunk',
    created: context.created,
    model: overrides.model ?? context.model,
  });
  const withUsageNull = (chunk: ChatCompletionChunk): ChatCompletionChunk =>
    context.includeUsage ? { ...chunk, usage: null } : chunk;
  return {
    role: () => withUsageNull({ ...base(), choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] }),
    delta: (delta) => withUsageNull({ ...base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] }),
    finish: (reason) => withUsageNull({ ...base(), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: reason }] }),
    usage: (usage) => ({ ...base(), choices: [], usage }),
  };
}
