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
 * - Azure's filter-only first chunk (`choices: []`, empty id/model, no usage) is skipped;
 * - SSE comments (OpenRouter `: OPENROUTER PROCESSING`) never reach us: eventsource-parser drops them;
 * - a `data:` event that is not a JSON chunk is skipped and counted in `malformed`, never forwarded;
 * - an in-stream `{"error": …}` event (OpenAI, OpenRouter) or an `error` finish reason ends the
 *   translation with an error step; so does a body that ends before any finish reason. A body that ends
 *   after its finish reason but without `[DONE]` is finalised (done) at `end()`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 * @see https://openrouter.ai/docs/api-reference/streaming
 */
import type { ChatCompletionChunk, ChunkDelta, ToolCallDelta, Usage } from '../../openai/wire.js';
import type { ResponseContext, StreamStep, StreamTranslator, TranslatedError } from '../contract.js';
import { createChunkFactory, type ChunkFactory } from '../chunks.js';
import { asCode, asRecord, streamEndedEarly, translateProviderError } from '../error-common.js';
import { parseJson, stringOr } from '../json-value.js';
import { createSseDecoder } from '../sse-decoder.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { readErrorObject } from './error.js';
import { ERROR_FINISH_REASONS, mapFinishReason } from './finish-reason.js';
import { nonEmpty, readArguments, readContent, syntheticToolCallId } from './response.js';
import { readUsage } from './usage.js';

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
  const decoder = createSseDecoder();
  const tools = createToolCallTracker();
  let id: string | undefined;
  let model: string | undefined;
  let factory: ChunkFactory | undefined;
  let roleSent = false;
  let contentSeen = false;
  let finished = false;
  let terminated = false;
  let usage: Usage | undefined;
  let lastToolKey: string | undefined;

  const chunks = (): ChunkFactory => {
    factory ??= createChunkFactory(context, { ...(id === undefined ? {} : { id }), ...(model === undefined ? {} : { model }) });
    return factory;
  };

  const fail = (draft: Draft, error: TranslatedError): void => {
    terminated = true;
    draft.error = error;
  };

  const complete = (draft: Draft): void => {
    terminated = true;
    if (!finished) {
      // The provider declared the stream complete ([DONE]) without a finish reason: close it as OpenAI would.
      if (!roleSent) draft.chunks.push(chunks().role());
      roleSent = true;
      finished = true;
      draft.chunks.push(chunks().finish(mapFinishReason('stop', tools.count > 0)));
    }
    if (context.includeUsage && usage !== undefined) draft.chunks.push(chunks().usage(usage));
    draft.done = true;
  };

  const toolDeltas = (value: unknown): ToolCallDelta[] => {
    if (!Array.isArray(value)) return [];
    const out: ToolCallDelta[] = [];
    value.forEach((entry, position) => {
      const call = asRecord(entry);
      if (call === undefined) return;
      const fn = asRecord(call['function']) ?? {};
      const callId = nonEmpty(stringOr(call['id']));
      const key = typeof call['index'] === 'number' ? `index:${call['index']}`
        : callId !== undefined ? `id:${callId}`
        : lastToolKey ?? `position:${position}`;
      const fragment = readArguments(fn['arguments']);
      if (!tools.has(key)) {
        const start = tools.start(key, callId ?? syntheticToolCallId(id ?? context.completionId, tools.count), stringOr(fn['name']) ?? '');
        out.push(fragment === '' ? start : { ...start, function: { name: start.function?.name ?? '', arguments: fragment } });
      } else if (fragment !== '') {
        const append = tools.append(key, fragment);
        if (append !== undefined) out.push(append);
      }
      lastToolKey = key;
    });
    return out;
  };

  const handleChoice = (choice: Readonly<Record<string, unknown>>, draft: Draft): void => {
    const delta = asRecord(choice['delta']) ?? {};
    const parts: { content?: string; refusal?: string; tool_calls?: readonly ToolCallDelta[] } = {};
    const content = readContent(delta['content']);
    if (content !== null && content !== '') parts.content = content;
    const refusal = stringOr(delta['refusal']);
    if (refusal !== undefined && refusal !== '') parts.refusal = refusal;
    const calls = toolDeltas(delta['tool_calls']);
    if (calls.length > 0) parts.tool_calls = calls;
    const meaningful = Object.keys(parts).length > 0;
    const rawFinish = stringOr(choice['finish_reason']);

    if (!roleSent && (meaningful || delta['role'] !== undefined || rawFinish !== undefined)) {
      roleSent = true;
      const opening: ChunkDelta = parts.content === undefined && parts.tool_calls === undefined && parts.refusal === undefined
        ? { role: 'assistant', content: '' }
        : { role: 'assistant', ...parts };
      draft.chunks.push(chunks().delta(opening));
    } else if (meaningful) {
      draft.chunks.push(chunks().delta(parts));
    }
    if (meaningful && !contentSeen) {
      contentSeen = true;
      draft.firstContent = true;
    }
    if (rawFinish === undefined || finished) return;
    draft.rawFinishReason = rawFinish;
    if (ERROR_FINISH_REASONS.has(rawFinish)) {
      fail(draft, translateProviderError(provider, 502, {}, { message: `The provider ended the stream with finish_reason "${rawFinish}".` }));
      return;
    }
    finished = true;
    draft.chunks.push(chunks().finish(mapFinishReason(rawFinish, tools.count > 0)));
  };

  const handleEvent = (data: string, draft: Draft): void => {
    if (terminated) return;
    if (data.trim() === '[DONE]') {
      complete(draft);
      return;
    }
    const record = asRecord(parseJson(data));
    if (record === undefined) {
      draft.malformed += 1;
      return;
    }
    if (record['error'] !== undefined && record['error'] !== null) {
      fail(draft, inStreamError(provider, record));
      return;
    }
    if (!Array.isArray(record['choices'])) {
      draft.malformed += 1;
      return;
    }
    id ??= nonEmpty(stringOr(record['id']));
    model ??= nonEmpty(stringOr(record['model']));
    const chunkUsage = readUsage(record);
    if (chunkUsage !== undefined) {
      usage = chunkUsage;
      draft.usage = chunkUsage;
    }
    for (const entry of record['choices']) {
      const choice = asRecord(entry);
      // The gateway serves one choice (n > 1 is rejected by the param table).
      if (choice === undefined || (choice['index'] !== undefined && choice['index'] !== 0)) continue;
      handleChoice(choice, draft);
      if (terminated) return;
    }
  };

  const run = (events: readonly { data: string }[], atEnd: boolean): StreamStep => {
    const draft: Draft = { chunks: [], firstContent: false, done: false, malformed: 0 };
    for (const event of events) handleEvent(event.data, draft);
    if (atEnd && !terminated) {
      if (finished) complete(draft);
      else fail(draft, streamEndedEarly(provider));
    }
    return toStep(draft);
  };

  return {
    push: (bytes) => (terminated ? EMPTY_STEP : run(decoder.push(bytes), false)),
    end: () => (terminated ? EMPTY_STEP : run(decoder.end(), true)),
  };
}

/** `data: {"error": {...}}` mid-stream: a numeric HTTP-like code is used as the status, else 502. */
function inStreamError(provider: string, record: Readonly<Record<string, unknown>>): TranslatedError {
  const fields = readErrorObject(record);
  const code = Number(asCode(asRecord(record['error'])?.['code']));
  const status = Number.isInteger(code) && code >= 400 && code <= 599 ? code : 502;
  return translateProviderError(provider, status, {}, fields);
}

function toStep(draft: Draft): StreamStep {
  return {
    chunks: draft.chunks,
    firstContent: draft.firstContent,
    done: draft.done,
    ...(draft.usage === undefined ? {} : { usage: draft.usage }),
    ...(draft.error === undefined ? {} : { error: draft.error }),
    ...(draft.rawFinishReason === undefined ? {} : { rawFinishReason: draft.rawFinishReason }),
    ...(draft.malformed === 0 ? {} : { malformed: draft.malformed }),
  };
}

const EMPTY_STEP: StreamStep = Object.freeze({ chunks: Object.freeze([]), firstContent: false, done: false });
