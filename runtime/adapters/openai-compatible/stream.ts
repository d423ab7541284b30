/**
 * Stream translator for the OpenAI family (OpenAI, Azure, Mistral and the compatible profiles):
 * SSE `data:` chunks → strict OpenAI `chat.completion.chunk`s (providers.md §1.4, §1.6).
 * - role on the first chunk only (Perplexity repeats it on every delta);
 * - a finish reason arrives on its own chunk with an empty delta, even when the provider put it on a
 *   content chunk (Mistral tool calls, Perplexity), mapped to OpenAI's four values;
 * - tool-call deltas get `index` and `type` when the provider omits them (Mistral sends whole calls);
 * - usage is read wherever it appears (a `choices: []` chunk, the finish chunk, Groq's `x_groq.usage`,
 *   Perplexity's running totals), reported in the step, and emitted as one usage chunk just before the
 *   end only when the client asked — otherwise no chunk carries a `usage` key;
 * - OpenAI's `service_tier` and `system_fingerprint` are relayed in every chunk's head, as upstream sent
 *   them before the first chunk out (like id and model: one head per stream, see chunks.ts);
 * - Azure's filter-only first chunk (`choices: []`, empty id/model, no usage) is skipped;
 * - SSE comments (OpenRouter `: OPENROUTER PROCESSING`) never reach us: eventsource-parser drops them;
 * - a `data:` event that is not a JSON chunk is skipped and counted in `malformed`, never forwarded;
 * - an in-stream `{"error": …}` event (OpenAI, OpenRouter) or an `error` finish reason ends the
 *   translation with an error step; so does a body that ends before any finish reason. A body that ends
 *   after its finish reason but without `[DONE]` is finalised (done) at `end()`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 * @see https://openrouter.ai/docs/api-reference/streaming
 */
import type { Annotation, ChatCompletionChunk, ChunkDelta, ToolCallDelta, Usage } from '../../openai/wire.js';
import type { ResponseContext, StreamStep, StreamTranslator, TranslatedError } from '../contract.js';
import { createChunkFactory, type ChunkFactory } from '../chunks.js';
import { asCode, asRecord, streamEndedEarly, translateProviderError } from '../error-common.js';
import { parseJson, stringOr } from '../json-value.js';
import { OversizeUnitError, oversizeUnitFailure } from '../oversize-unit.js';
import { createSseDecoder } from '../sse-decoder.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { decodeNullableString, decodeString, matchContentChunk } from './content-chunk.js';
import { readErrorObject } from './error.js';
import { ERROR_FINISH_REASONS, mapFinishReason } from './finish-reason.js';
import { argumentsFragment, nonEmpty, readAnnotations, readContent, syntheticToolCallId } from './response.js';
import { readUsage } from './usage.js';
import type { Mutable } from '../../mutable.js';

interface Draft {
  readonly chunks: ChatCompletionChunk[];
  firstContent: boolean;
  usage?: Usage;
  error?: TranslatedError;
  done: boolean;
  rawFinishReason?: string;
  malformed: number;
}

export function createCompatibleStreamTranslator(provider: string, context: ResponseContext): StreamTranslator {
  return new CompatibleStreamTranslator(provider, context);
}

/** A class, not an object of closures: one is held for every open stream (issue 8 memory). */
class CompatibleStreamTranslator implements StreamTranslator {
  private readonly decoder = createSseDecoder();
  private readonly tools = createToolCallTracker();
  private id: string | undefined;
  private model: string | undefined;
  private serviceTier: string | undefined;
  private systemFingerprint: string | undefined;
  private factory: ChunkFactory | undefined;
  private roleSent = false;
  private contentSeen = false;
  private finished = false;
  private terminated = false;
  private usage: Usage | undefined;
  private lastToolKey: string | undefined;

  constructor(private readonly provider: string, private readonly context: ResponseContext) {}

  push(bytes: Uint8Array): StreamStep {
    return this.terminated ? EMPTY_STEP : this.decoded(() => this.decoder.push(bytes), false);
  }

  end(): StreamStep {
    return this.terminated ? EMPTY_STEP : this.decoded(() => this.decoder.end(), true);
  }

  /** An oversize event ends the stream as a failed one: nothing after it can be read. */
  private decoded(read: () => readonly { data: string }[], atEnd: boolean): StreamStep {
    let events: readonly { data: string }[];
    try {
      events = read();
    } catch (error) {
      if (!(error instanceof OversizeUnitError)) throw error;
      const draft: Draft = { chunks: [], firstContent: false, done: false, malformed: 0 };
      this.fail(draft, oversizeUnitFailure());
      return toStep(draft);
    }
    return this.run(events, atEnd);
  }

  private run(events: readonly { data: string }[], atEnd: boolean): StreamStep {
    const draft: Draft = { chunks: [], firstContent: false, done: false, malformed: 0 };
    for (const event of events) this.handleEvent(event.data, draft);
    if (atEnd && !this.terminated) {
      if (this.finished) this.complete(draft);
      else this.fail(draft, streamEndedEarly(this.provider));
    }
    return toStep(draft);
  }

  private chunks(): ChunkFactory {
    this.factory ??= createChunkFactory(this.context, { id: this.id, model: this.model, serviceTier: this.serviceTier, systemFingerprint: this.systemFingerprint });
    return this.factory;
  }

  private fail(draft: Draft, error: TranslatedError): void {
    this.terminated = true;
    draft.error = error;
  }

  private complete(draft: Draft): void {
    this.terminated = true;
    if (!this.finished) {
      // The provider declared the stream complete ([DONE]) without a finish reason: close it as OpenAI would.
      if (!this.roleSent) draft.chunks.push(this.chunks().role());
      this.roleSent = true;
      this.finished = true;
      this.closeTools(draft);
      draft.chunks.push(this.chunks().finish(mapFinishReason('stop', this.tools.count > 0)));
    }
    if (this.context.includeUsage && this.usage !== undefined) draft.chunks.push(this.chunks().usage(this.usage));
    draft.done = true;
  }

  private toolDeltas(value: unknown): ToolCallDelta[] {
    if (!Array.isArray(value)) return [];
    const out: ToolCallDelta[] = [];
    const tools = this.tools;
    value.forEach((entry, position) => {
      const call = asRecord(entry);
      if (call === undefined) return;
      const fn = asRecord(call['function']) ?? {};
      const callId = nonEmpty(stringOr(call['id']));
      const key = typeof call['index'] === 'number' ? `index:${call['index']}`
        : callId !== undefined ? `id:${callId}`
        : this.lastToolKey ?? `position:${position}`;
      const fragment = argumentsFragment(fn['arguments']);
      if (!tools.has(key)) {
        const start = tools.start(key, callId ?? syntheticToolCallId(this.id ?? this.context.completionId, tools.count), stringOr(fn['name']) ?? '');
        // Arguments on the opening delta count as arrived (the call is not closed with `{}` at the finish).
        if (fragment !== '') tools.append(key, fragment);
        out.push(fragment === '' ? start : { ...start, function: { name: start.function?.name ?? '', arguments: fragment } });
      } else if (fragment !== '') {
        const append = tools.append(key, fragment);
        if (append !== undefined) out.push(append);
      }
      this.lastToolKey = key;
    });
    return out;
  }

  private handleChoice(choice: Readonly<Record<string, unknown>>, draft: Draft): void {
    const delta = asRecord(choice['delta']) ?? {};
    const parts: { content?: string; refusal?: string; tool_calls?: readonly ToolCallDelta[]; annotations?: readonly Annotation[] } = {};
    const content = readContent(delta['content']);
    if (content !== null && content !== '') parts.content = content;
    const refusal = stringOr(delta['refusal']);
    if (refusal !== undefined && refusal !== '') parts.refusal = refusal;
    const calls = this.toolDeltas(delta['tool_calls']);
    if (calls.length > 0) parts.tool_calls = calls;
    const annotations = readAnnotations(delta['annotations']);
    if (annotations !== undefined) parts.annotations = annotations;
    const meaningful = Object.keys(parts).length > 0;
    const rawFinish = stringOr(choice['finish_reason']);

    if (!this.roleSent && (meaningful || delta['role'] !== undefined || rawFinish !== undefined)) {
      this.roleSent = true;
      const opening: ChunkDelta = !meaningful
        ? { role: 'assistant', content: '' }
        : { role: 'assistant', ...parts };
      draft.chunks.push(this.chunks().delta(opening));
    } else if (meaningful) {
      draft.chunks.push(this.chunks().delta(parts));
    }
    if (meaningful && !this.contentSeen) {
      this.contentSeen = true;
      draft.firstContent = true;
    }
    if (rawFinish === undefined || this.finished) return;
    draft.rawFinishReason = rawFinish;
    if (ERROR_FINISH_REASONS.has(rawFinish)) {
      this.fail(draft, translateProviderError(this.provider, 502, {}, { message: `The provider ended the stream with finish_reason "${rawFinish}".` }));
      return;
    }
    this.finished = true;
    this.closeTools(draft);
    draft.chunks.push(this.chunks().finish(mapFinishReason(rawFinish, this.tools.count > 0)));
  }

  /** Calls that got no argument text close with `{}`, as other adapters close them: "" does not parse. */
  private closeTools(draft: Draft): void {
    const unclosed = this.tools.closeAll();
    if (unclosed.length > 0) draft.chunks.push(this.chunks().delta({ tool_calls: unclosed }));
  }

  private handleEvent(data: string, draft: Draft): void {
    if (this.terminated) return;
    if (data.trim() === '[DONE]') {
      this.complete(draft);
      return;
    }
    const usual = matchContentChunk(data);
    if (usual !== undefined) {
      // What parsing it would give, without parsing it (content-chunk.ts): no error, no usage, one choice.
      if (this.id === undefined) this.id = nonEmpty(decodeString(usual.idLiteral));
      if (this.model === undefined) this.model = nonEmpty(decodeString(usual.modelLiteral));
      if (this.serviceTier === undefined) this.serviceTier = decodeNullableString(usual.serviceTierLiteral);
      if (this.systemFingerprint === undefined) this.systemFingerprint = decodeNullableString(usual.systemFingerprintLiteral);
      this.handleChoice({ delta: { content: usual.content }, finish_reason: null }, draft);
      return;
    }
    const record = asRecord(parseJson(data));
    if (record === undefined) {
      draft.malformed += 1;
      return;
    }
    if (record['error'] !== undefined && record['error'] !== null) {
      this.fail(draft, inStreamError(this.provider, record));
      return;
    }
    if (!Array.isArray(record['choices'])) {
      draft.malformed += 1;
      return;
    }
    this.id ??= nonEmpty(stringOr(record['id']));
    this.model ??= nonEmpty(stringOr(record['model']));
    this.serviceTier ??= stringOr(record['service_tier']);
    this.systemFingerprint ??= stringOr(record['system_fingerprint']);
    const chunkUsage = readUsage(record);
    if (chunkUsage !== undefined) {
      this.usage = chunkUsage;
      draft.usage = chunkUsage;
    }
    for (const entry of record['choices']) {
      const choice = asRecord(entry);
      // The gateway serves one choice (n > 1 is rejected by the param table).
      if (choice === undefined || (choice['index'] !== undefined && choice['index'] !== 0)) continue;
      this.handleChoice(choice, draft);
      if (this.terminated) return;
    }
  }
}

/** `data: {"error": {...}}` mid-stream: a numeric HTTP-like code is used as the status, else 502. */
function inStreamError(provider: string, record: Readonly<Record<string, unknown>>): TranslatedError {
  const fields = readErrorObject(record);
  const code = Number(asCode(asRecord(record['error'])?.['code']));
  const status = Number.isInteger(code) && code >= 400 && code <= 599 ? code : 502;
  return translateProviderError(provider, status, {}, fields);
}

function toStep(draft: Draft): StreamStep {
  // Optional members assigned, not spread (see Mutable): this runs on every upstream read.
  const step: Mutable<StreamStep> = { chunks: draft.chunks, firstContent: draft.firstContent, done: draft.done };
  if (draft.usage !== undefined) step.usage = draft.usage;
  if (draft.error !== undefined) step.error = draft.error;
  if (draft.rawFinishReason !== undefined) step.rawFinishReason = draft.rawFinishReason;
  if (draft.malformed !== 0) step.malformed = draft.malformed;
  return step;
}

const EMPTY_STEP: StreamStep = Object.freeze({ chunks: Object.freeze([]), firstContent: false, done: false });
