/**
 * What the client has seen of a stream, and how a continuation joins it seamlessly (design §3.6).
 * The text sent so far becomes the next candidate's assistant prefill; the continuing attempt's chunks
 * take the first attempt's id and `created`, lose their role (the client already has one role chunk),
 * do not repeat whitespace the client already has (the seam), and empty chunks are dropped, so the
 * client reads one stream with one finish chunk.
 * Only plain text can be continued: once a tool-call or refusal delta went out, a half-sent structure
 * cannot be resumed by another model, and the stream ends with an error event instead.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, ChunkDelta } from '../openai/wire.js';

export interface RelayState {
  /** The first content went out (sink.start was called). */
  started: boolean;
  /**
   * Whether `text` is kept: only when a continuation could follow (the run sets it once its plan is
   * known). A thousand held streams each kept a few KB of text nobody would read (issue 8's memory run).
   */
  readonly keepText: boolean;
  /** Assistant text sent so far: the prefill of a continuation (empty unless `keepText`). */
  text: string;
  /** A tool-call or refusal delta went out: the stream cannot be continued. */
  structured: boolean;
  /** A finish_reason went out: the answer is complete even if the rest of the stream broke. */
  finished: boolean;
  /** The usage chunk went out. */
  usageSent: boolean;
  id: string | undefined;
  created: number | undefined;
  chunks: number;
  /**
   * Whitespace the client already has at the end of the text but a continuation may write again:
   * Anthropic refuses a prefill ending in whitespace, so it is trimmed off the prefill, and the model
   * then starts with it (" three" after "One two "). Swallowed from the continuation's first content.
   */
  seam: string;
}

export function createRelayState(keepText: boolean): RelayState {
  return { started: false, keepText, text: '', structured: false, finished: false, usageSent: false, id: undefined, created: undefined, chunks: 0, seam: '' };
}

/** A continuing attempt begins: the whitespace at the end of what was sent is its seam. */
export function beginContinuation(state: RelayState): void {
  state.seam = /\s+$/.exec(state.text)?.[0] ?? '';
}

/** The delta's content without the part of the seam it repeats; the seam closes at the first content. */
function closeSeam(delta: ChunkDelta, state: RelayState): ChunkDelta {
  const content = delta.content;
  if (state.seam === '' || typeof content !== 'string' || content === '') return delta;
  let repeated = 0;
  while (repeated < content.length && repeated < state.seam.length && content[repeated] === state.seam[repeated]) repeated += 1;
  // Whitespace only, and all of it repeated: more may follow in the next chunk.
  state.seam = repeated === content.length ? state.seam.slice(repeated) : '';
  return repeated === 0 ? delta : { ...delta, content: content.slice(repeated) };
}

/**
 * Design §3.8: usage reaches the client only when it asked (`stream_options.include_usage`); adapters
 * already omit the usage chunk then, and this guard keeps a stray one (or a `usage` field) out.
 */
export function filterUsage(chunk: ChatCompletionChunk, includeUsage: boolean): ChatCompletionChunk | undefined {
  if (includeUsage || chunk.usage === undefined) return chunk;
  if (chunk.choices.length === 0) return undefined;
  const { usage: _usage, ...rest } = chunk;
  return rest;
}

function isEmptyDelta(delta: ChunkDelta): boolean {
  return (delta.content === undefined || delta.content === null || delta.content === '')
    && delta.tool_calls === undefined
    && (delta.refusal === undefined || delta.refusal === null);
}

/** A continuing attempt's chunk as the client must see it, or undefined when it adds nothing. */
export function continuationChunk(chunk: ChatCompletionChunk, state: RelayState): ChatCompletionChunk | undefined {
  const choices = chunk.choices.map((choice) => {
    const seamless = closeSeam(choice.delta, state);
    if (seamless.role === undefined) return seamless === choice.delta ? choice : { ...choice, delta: seamless };
    const { role: _role, ...delta } = seamless;
    return { ...choice, delta };
  });
  const keep = chunk.choices.length === 0 // the usage chunk
    || choices.some((choice) => choice.finish_reason !== null || !isEmptyDelta(choice.delta));
  if (!keep) return undefined;
  return { ...chunk, id: state.id ?? chunk.id, created: state.created ?? chunk.created, choices };
}

/** Bookkeeping for a chunk that went to the client. */
export function noteSent(chunk: ChatCompletionChunk, state: RelayState): void {
  state.chunks += 1;
  state.id ??= chunk.id;
  state.created ??= chunk.created;
  if (chunk.choices.length === 0 && chunk.usage !== undefined && chunk.usage !== null) state.usageSent = true;
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (state.keepText && typeof delta.content === 'string') {
      state.text += delta.content;
      // Hundreds of tiny appends make a tree of pieces (tens of KB per long stream, the issue 8 memory
      // benchmark); reading a character makes V8 flatten it into one string, every 64 chunks.
      if ((state.chunks & 63) === 0) state.text.charCodeAt(0);
    }
    if (delta.tool_calls !== undefined || (delta.refusal !== undefined && delta.refusal !== null)) state.structured = true;
    if (choice.finish_reason !== null) state.finished = true;
  }
}

/** Characters per token of the quota estimate (quota/estimate-tokens.ts): a continuation's spent share. */
const CHARACTERS_PER_TOKEN = 4;

/**
 * The request a continuation sends: the client's completion limit less what the answer already
 * spent (estimated from the text sent, at least 1 left), so that the joined answer stays within the
 * `max_tokens` / `max_completion_tokens` the client set. A limit the client did not set stays unset.
 */
export function continuationRequest(request: ChatCompletionRequest, sentText: string): ChatCompletionRequest {
  if (request.max_tokens == null && request.max_completion_tokens == null) return request;
  const spent = Math.ceil(sentText.length / CHARACTERS_PER_TOKEN);
  const left = (limit: number | null | undefined): number | undefined => (limit == null ? undefined : Math.max(1, limit - spent));
  const maxTokens = left(request.max_tokens);
  const maxCompletionTokens = left(request.max_completion_tokens);
  return {
    ...request,
    ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    ...(maxCompletionTokens === undefined ? {} : { max_completion_tokens: maxCompletionTokens }),
  };
}
