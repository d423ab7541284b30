/**
 * Builds OpenAI `chat.completion.chunk` objects the way OpenAI sends them (providers.md §1.4, §1.6):
 * a role chunk first, then content or tool-call deltas, a chunk with an empty delta and the
 * finish_reason, then — only when the client asked — a usage chunk with `choices: []`. When usage is
 * requested every other chunk carries `"usage": null`, as OpenAI's do. `[DONE]` is the SSE writer's job.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
import type { ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from '../openai/wire.js';
import type { ResponseContext } from './contract.js';
import type { Mutable } from '../mutable.js';

export interface ChunkFactory {
  /** The first chunk of a stream: `{role: "assistant", content: ""}`. */
  role(): ChatCompletionChunk;
  delta(delta: ChunkDelta): ChatCompletionChunk;
  finish(reason: FinishReason): ChatCompletionChunk;
  /** The usage chunk (`choices: []`); callers emit it only when `context.includeUsage`. */
  usage(usage: Usage): ChatCompletionChunk;
}

/** What a provider names in the chunk head itself; `id` and `model` default to the context's. */
export interface ChunkHeadOverrides {
  readonly id?: string | undefined;
  readonly model?: string | undefined;
  /** OpenAI's own `service_tier` and `system_fingerprint`: only the OpenAI-compatible family has them. */
  readonly serviceTier?: string | undefined;
  readonly systemFingerprint?: string | undefined;
}

/**
 * `id` and `model` default to the context's; a provider that names its own (OpenAI-compatible ones,
 * Anthropic's message id) passes them through `overrides` once known, as an OpenAI-compatible one
 * does its service tier and fingerprint.
 */
export function createChunkFactory(context: ResponseContext, overrides: ChunkHeadOverrides = {}): ChunkFactory {
  const id = overrides.id ?? context.completionId;
  const model = overrides.model ?? context.model;
  const { serviceTier, systemFingerprint } = overrides;
  return serviceTier === undefined && systemFingerprint === undefined
    ? new ContextChunkFactory(context.includeUsage, id, context.created, model)
    : new HeadedChunkFactory(context.includeUsage, id, context.created, model, serviceTier, systemFingerprint);
}

/**
 * Classes, not objects of closures: one is held for every open stream (issue 8 memory). The three
 * content chunks differ only in delta and finish reason; each factory builds the chunk its way.
 */
abstract class ChunkFactoryBase implements ChunkFactory {
  role(): ChatCompletionChunk {
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  delta(delta: ChunkDelta): ChatCompletionChunk {
    return this.chunk(delta, null);
  }

  finish(reason: FinishReason): ChatCompletionChunk {
    return this.chunk({}, reason);
  }

  abstract usage(usage: Usage): ChatCompletionChunk;

  protected abstract chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk;
}

class ContextChunkFactory extends ChunkFactoryBase {
  constructor(private readonly includeUsage: boolean, private readonly id: string, private readonly created: number, private readonly model: string) {
    super();
  }

  usage(usage: Usage): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage };
  }

  // One literal per chunk (no spreads): this runs for every chunk of every stream (issue 8 profile).
  // Keys in this order let the SSE writer serialise only the delta (openai/chunk-json.ts).
  protected chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const { id, created, model } = this;
    return this.includeUsage
      ? { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], usage: null }
      : { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
  }
}

/** A chunk being built key by key, so that optional head keys keep OpenAI's order. */
type ChunkDraft = Partial<Mutable<ChatCompletionChunk>>;

/**
 * Chunks whose head also carries OpenAI's `service_tier` / `system_fingerprint` (between `model` and
 * `choices`, where OpenAI writes them and where the SSE writer's head reuse expects them:
 * openai/chunk-json.ts). Built by assignment, not by spreading a head (a spread costs far more).
 */
class HeadedChunkFactory extends ChunkFactoryBase {
  constructor(
    private readonly includeUsage: boolean,
    private readonly id: string,
    private readonly created: number,
    private readonly model: string,
    private readonly serviceTier: string | undefined,
    private readonly systemFingerprint: string | undefined,
  ) {
    super();
  }

  usage(usage: Usage): ChatCompletionChunk {
    const chunk = this.head();
    chunk.choices = [];
    chunk.usage = usage;
    return chunk as ChatCompletionChunk; // every required key is set: head() and choices
  }

  protected chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const chunk = this.head();
    chunk.choices = [{ index: 0, delta, logprobs: null, finish_reason: finishReason }];
    if (this.includeUsage) chunk.usage = null;
    return chunk as ChatCompletionChunk; // every required key is set: head() and choices
  }

  private head(): ChunkDraft {
    const chunk: ChunkDraft = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
    if (this.serviceTier !== undefined) chunk.service_tier = this.serviceTier;
    if (this.systemFingerprint !== undefined) chunk.system_fingerprint = this.systemFingerprint;
    return chunk;
  }
}
