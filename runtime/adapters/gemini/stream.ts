/**
 * Gemini `streamGenerateContent?alt=sse` → OpenAI chunks (providers.md §4.4). Each SSE `data:` event is
 * a whole `GenerateContentResponse`; there are no event names and no `[DONE]`: the stream ends when the
 * body does. `usageMetadata` on every event is a running total, so only the last one counts. A
 * function call arrives whole in one event and becomes one tool-call delta carrying id, name and the
 * complete arguments. An event with a top-level `error` object is an in-band error (the SDK treats it
 * so). The finish chunk waits for the end of the body, since usage may still be updated after the
 * event that carries `finishReason`; a body that ends with no finishReason (and no prompt block) is a
 * truncated stream, never a clean answer.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
import type { ResponseContext, StreamTranslator } from '../contract.js';
import { createChunkFactory } from '../chunks.js';
import { streamEndedEarly } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';
import { createSseDecoder, type SseEvent } from '../sse-decoder.js';
import { createUnitStreamTranslator, type StepWriter } from '../stream-step.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { readGoogleStatus, translateGoogleStatus } from './error.js';
import { brokenToolTurn, mapGeminiFinishReason } from './finish-reason.js';
import { blockReasonOf, geminiUsage, readPart } from './response.js';

export function createGeminiStreamTranslator(provider: string, context: ResponseContext): StreamTranslator {
  const factory = createChunkFactory(context);
  const tools = createToolCallTracker();
  let started = false;
  let rawFinishReason: string | undefined;
  let blockReason: string | undefined;
  let usageMetadata: unknown;

  const handle = (event: SseEvent, writer: StepWriter): void => {
    const response = parseJson(event.data);
    if (!isRecord(response)) {
      writer.malformed();
      return;
    }
    const status = readGoogleStatus(response);
    if (status !== undefined) {
      writer.fail(translateGoogleStatus(provider, 0, {}, status));
      return;
    }
    if (response['usageMetadata'] !== undefined) usageMetadata = response['usageMetadata'];
    if (!started) {
      started = true;
      writer.emit(factory.role());
    }
    blockReason ??= blockReasonOf(response);
    const candidate = Array.isArray(response['candidates']) ? response['candidates'][0] : undefined;
    if (!isRecord(candidate)) return;
    const content = candidate['content'];
    for (const part of isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : []) {
      const output = readPart(part, context.completionId, tools.count);
      if (output.text !== undefined) {
        writer.content();
        writer.emit(factory.delta({ content: output.text }));
      } else if (output.toolCall !== undefined) {
        const { id, function: call } = output.toolCall;
        const delta = tools.start(id, id, call.name);
        writer.content();
        writer.emit(factory.delta({ tool_calls: [{ ...delta, function: { name: call.name, arguments: call.arguments } }] }));
      }
    }
    rawFinishReason = stringOr(candidate['finishReason']) ?? rawFinishReason;
  };

  const endOfBody = (writer: StepWriter): void => {
    const usage = geminiUsage(usageMetadata);
    if (rawFinishReason === undefined) {
      // A prompt blocked before any candidate is an empty answer filtered for content.
      if (blockReason !== undefined) writer.complete('content_filter', usage, blockReason);
      else {
        if (usage !== undefined) writer.usage(usage);
        writer.fail(streamEndedEarly(provider));
      }
      return;
    }
    const finish = mapGeminiFinishReason(rawFinishReason, tools.count > 0);
    if (finish.type === 'finish') {
      writer.complete(finish.reason, usage, rawFinishReason);
      return;
    }
    if (usage !== undefined) writer.usage(usage);
    writer.fail(brokenToolTurn(finish.code));
  };

  return createUnitStreamTranslator(createSseDecoder(), { handle, endWithoutTerminator: endOfBody }, {
    factory: () => factory,
    includeUsage: context.includeUsage,
  });
}
