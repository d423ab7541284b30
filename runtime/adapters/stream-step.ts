/**
 * The loop every stream translator shares: decode bytes into units (SSE events, NDJSON lines), hand each
 * to the provider's handler with a step writer, and fold what it wrote into one StreamStep per push.
 * The writer tracks the first content-bearing unit across the whole stream (the latency target's end),
 * closes the stream on the provider's end signal or an in-band error (later units are ignored), and
 * counts units that could not be read: skipped and counted, never forwarded (design §3.6). A handler
 * that throws on an unexpected shape counts as a malformed unit, so a translator never throws.
 */
import type { ChatCompletionChunk, FinishReason, Usage } from '../openai/wire.js';
import type { StreamStep, StreamTranslator, TranslatedError } from './contract.js';
import type { ChunkFactory } from './chunks.js';
import type { Mutable } from '../mutable.js';
import { OversizeUnitError, oversizeUnitFailure } from './oversize-unit.js';

export interface StepWriter {
  emit(chunk: ChatCompletionChunk): void;
  /** The current unit carries content (text or a tool call); the first such marks `firstContent`. */
  content(): void;
  /** Usage as soon as it is known (quotas, audit), whether or not the client asked for it. */
  usage(usage: Usage): void;
  /** An in-band provider error: the stream is over and failed. */
  fail(error: TranslatedError): void;
  /** The unit could not be read; it is skipped. */
  malformed(): void;
  /**
   * The answer is complete: the finish chunk, then the usage chunk when the client asked for it
   * (`includeUsage`), and `done`. The raw finish value goes to audit. `usage` is undefined when the
   * provider never reported it: the step then carries none and no usage chunk is sent (OpenAI's own
   * streams may end without one, and a chunk of zeros would be a false count).
   */
  complete(reason: FinishReason, usage: Usage | undefined, rawFinishReason: string | undefined): void;
}

export interface UnitDecoder<Unit> {
  push(bytes: Uint8Array): readonly Unit[];
  end(): readonly Unit[];
}

export interface StreamHandler<Unit> {
  handle(unit: Unit, writer: StepWriter): void;
  /** At end of body when the provider never signalled the end: finalise (`complete`) or `fail`. */
  endWithoutTerminator(writer: StepWriter): void;
}

export interface StreamOutput {
  /** The chunk factory for finish and usage chunks; a getter because ids may arrive mid-stream. */
  readonly factory: () => ChunkFactory;
  readonly includeUsage: boolean;
}

interface Draft {
  readonly chunks: ChatCompletionChunk[];
  firstContent: boolean;
  usage: Usage | undefined;
  error: TranslatedError | undefined;
  done: boolean;
  rawFinishReason: string | undefined;
  malformed: number;
}

export function createUnitStreamTranslator<Unit>(
  decoder: UnitDecoder<Unit>,
  handler: StreamHandler<Unit>,
  output: StreamOutput,
): StreamTranslator {
  let contentSeen = false;
  let state: 'open' | 'done' | 'failed' = 'open';

  const run = (units: readonly Unit[], atEnd: boolean): StreamStep => {
    const draft: Draft = {
      chunks: [], firstContent: false, usage: undefined, error: undefined, done: false, rawFinishReason: undefined, malformed: 0,
    };
    const writer: StepWriter = {
      emit: (chunk) => {
        draft.chunks.push(chunk);
      },
      content: () => {
        if (contentSeen) return;
        contentSeen = true;
        draft.firstContent = true;
      },
      usage: (usage) => {
        draft.usage = usage;
      },
      fail: (error) => {
        draft.error = error;
        state = 'failed';
      },
      malformed: () => {
        draft.malformed += 1;
      },
      complete: (reason, usage, rawFinishReason) => {
        const factory = output.factory();
        draft.chunks.push(factory.finish(reason));
        if (usage !== undefined) {
          if (output.includeUsage) draft.chunks.push(factory.usage(usage));
          draft.usage = usage;
        }
        draft.rawFinishReason = rawFinishReason;
        draft.done = true;
        state = 'done';
      },
    };
    for (const unit of units) {
      if (state !== 'open') break;
      try {
        handler.handle(unit, writer);
      } catch {
        // An upstream unit of an unexpected shape: skipped and counted, like unparseable JSON.
        writer.malformed();
      }
    }
    if (atEnd && state === 'open') handler.endWithoutTerminator(writer);
    return toStep(draft, atEnd && state === 'done');
  };

  /** An oversize unit ends the stream as a failed one: nothing after it can be read. */
  const decoded = (read: () => readonly Unit[], atEnd: boolean): StreamStep => {
    if (state !== 'open') return run([], atEnd);
    let units: readonly Unit[];
    try {
      units = read();
    } catch (error) {
      if (!(error instanceof OversizeUnitError)) throw error;
      state = 'failed';
      return toStep({ chunks: [], firstContent: false, usage: undefined, error: oversizeUnitFailure(), done: false, rawFinishReason: undefined, malformed: 0 }, false);
    }
    return run(units, atEnd);
  };

  return {
    push: (bytes) => decoded(() => decoder.push(bytes), false),
    end: () => decoded(() => decoder.end(), true),
  };
}

function toStep(draft: Draft, doneAtEnd: boolean): StreamStep {
  // Optional members assigned, not spread (see Mutable): this runs on every upstream read.
  const step: Mutable<StreamStep> = { chunks: draft.chunks, firstContent: draft.firstContent, done: draft.done || doneAtEnd };
  if (draft.usage !== undefined) step.usage = draft.usage;
  if (draft.error !== undefined) step.error = draft.error;
  if (draft.rawFinishReason !== undefined) step.rawFinishReason = draft.rawFinishReason;
  if (draft.malformed !== 0) step.malformed = draft.malformed;
  return step;
}
