/**
 * Pre-serialised stream chunks (issue 8): `JSON.stringify` of every chunk of every stream was a tenth
 * of a stream's CPU. The chunk factory (adapters/chunks.ts) builds chunks of one fixed shape and
 * registers the head they share (id, object, created, model), serialised once per stream; the SSE
 * writer then serialises only the delta and the finish reason. A chunk that is not registered, or no
 * longer has the registered shape (another key, another id, a continuation's rewrite), is serialised
 * whole: the bytes are the same either way (a test compares them with JSON.stringify).
 */
import type { ChatCompletionChunk } from './wire.js';

export interface ChunkHead {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** Chunks carry `"usage": null` as their last key (the client asked for usage). */
  readonly usageNull: boolean;
  /** `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[{"index":0,"delta":` */
  readonly prefix: string;
}

const heads = new WeakMap<ChatCompletionChunk, ChunkHead>();

export function chunkHead(id: string, created: number, model: string, usageNull: boolean): ChunkHead {
  const prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(created)},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
  return { id, created, model, usageNull, prefix };
}

/**
 * Records that `chunk` was built as `{id, object, created, model, choices: [{index: 0, delta, logprobs:
 * null, finish_reason}]}` (then `usage: null` when `head.usageNull`), keys in that order.
 */
export function registerChunk(chunk: ChatCompletionChunk, head: ChunkHead): ChatCompletionChunk {
  heads.set(chunk, head);
  return chunk;
}

/** Exactly `JSON.stringify(chunk)`. */
export function chunkJson(chunk: ChatCompletionChunk): string {
  const head = heads.get(chunk);
  const choice = chunk.choices[0];
  if (head === undefined || choice === undefined || !hasShape(chunk, head)) return JSON.stringify(chunk);
  const finish = choice.finish_reason === null ? 'null' : JSON.stringify(choice.finish_reason);
  return `${head.prefix}${JSON.stringify(choice.delta)},"logprobs":null,"finish_reason":${finish}}]${head.usageNull ? ',"usage":null' : ''}}`;
}

/** Still the registered shape: nothing added, removed or replaced at the top or in the choice. */
function hasShape(chunk: ChatCompletionChunk, head: ChunkHead): boolean {
  const choice = chunk.choices[0];
  return chunk.id === head.id && chunk.object === 'chat.completion.chunk' && chunk.created === head.created && chunk.model === head.model
    && chunk.choices.length === 1 && choice !== undefined && choice.index === 0 && choice.logprobs === null
    && typeof choice.delta === 'object' && choice.delta !== null && choice.finish_reason !== undefined
    && Object.keys(choice).length === 4
    && (head.usageNull ? chunk.usage === null && Object.keys(chunk).length === 6 : Object.keys(chunk).length === 5);
}
