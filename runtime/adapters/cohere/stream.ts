/**
 * Cohere v2 SSE → OpenAI chunks (providers.md §6.4, §6.6). The event's JSON `type` decides (the
 * `event:` line is optional on the wire): message-start → role chunk (id kept); content-delta → content;
 * tool-call-start → the tool call's first delta (Cohere's `index` is already the tool-call index);
 * tool-call-delta → argument fragment; message-end → finish chunk, usage chunk (when asked), done.
 * `tool_calls` is an object, not an array, in stream deltas. tool-plan-delta, thinking, citations and
 * a trailing `data: [DONE]` carry nothing to translate. A message-end with ERROR or TIMEOUT, or a
 * stream without message-end, is an error step, never a clean finish.
 * @see https://docs.cohere.com/docs/streaming
 */
import type { ResponseContext, StreamTranslator } from '../contract.js';
import { createChunkFactory, type ChunkFactory } from '../chunks.js';
import { streamEndedEarly } from '../error-common.js';
import { isRecord, numberOr, parseJson, stringOr } from '../json-value.js';
import { createSseDecoder, type SseEvent } from '../sse-decoder.js';
import { createUnitStreamTranslator, type StepWriter } from '../stream-step.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { failedGeneration } from './error.js';
import { mapFinishReason } from './finish-reason.js';
import { toOpenAIUsage } from './usage.js';

type Payload = Readonly<Record<string, unknown>>;

/** `delta.message` of an event, or an empty object. */
function deltaMessage(payload: Payload): Payload {
  const delta = payload['delta'];
  return isRecord(delta) && isRecord(delta['message']) ? delta['message'] : {};
}

export function createChatStreamTranslator(context: ResponseContext): StreamTranslator {
  const tools = createToolCallTracker();
  let factory: ChunkFactory = createChunkFactory(context);

  const toolIndex = (payload: Payload): number => {
    const index = numberOr(payload['index']);
    if (index === undefined) throw new TypeError('tool-call event without index');
    return index;
  };

  const handlers: Readonly<Record<string, (payload: Payload, writer: StepWriter) => void>> = {
    'message-start': (payload, writer) => {
      const id = stringOr(payload['id']);
      factory = createChunkFactory(context, id === undefined ? {} : { id });
      writer.emit(factory.role());
    },
    'content-start': (payload, writer) => emitText(deltaMessage(payload)['content'], writer),
    'content-delta': (payload, writer) => emitText(deltaMessage(payload)['content'], writer),
    'tool-call-start': (payload, writer) => {
      const call = deltaMessage(payload)['tool_calls'];
      if (!isRecord(call) || !isRecord(call['function'])) return writer.malformed();
      const id = stringOr(call['id']);
      const name = stringOr(call['function']['name']);
      if (id === undefined || name === undefined) return writer.malformed();
      writer.content();
      writer.emit(factory.delta({ tool_calls: [tools.start(toolIndex(payload), id, name)] }));
      emitArguments(toolIndex(payload), call['function']['arguments'], writer);
    },
    'tool-call-delta': (payload, writer) => {
      const call = deltaMessage(payload)['tool_calls'];
      if (!isRecord(call) || !isRecord(call['function'])) return writer.malformed();
      emitArguments(toolIndex(payload), call['function']['arguments'], writer);
    },
    'tool-call-end': (payload, writer) => {
      const closing = tools.close(toolIndex(payload));
      if (closing !== undefined) writer.emit(factory.delta({ tool_calls: [closing] }));
    },
    'message-end': (payload, writer) => {
      const delta = isRecord(payload['delta']) ? payload['delta'] : {};
      const raw = stringOr(delta['finish_reason']);
      const finish = mapFinishReason(raw);
      const usage = toOpenAIUsage(delta['usage']);
      if (finish.kind === 'failed') {
        if (usage !== undefined) writer.usage(usage);
        writer.fail(failedGeneration(raw ?? 'ERROR', stringOr(delta['error'])));
        return;
      }
      const unclosed = tools.closeAll();
      if (unclosed.length > 0) writer.emit(factory.delta({ tool_calls: unclosed }));
      writer.complete(finish.reason, usage, raw);
    },
  };

  function emitText(content: unknown, writer: StepWriter): void {
    // Thinking content ({type: "thinking"} / {thinking: "…"}) has no OpenAI field.
    const text = isRecord(content) ? stringOr(content['text']) : undefined;
    if (text === undefined || text.length === 0) return;
    writer.content();
    writer.emit(factory.delta({ content: text }));
  }

  function emitArguments(index: number, fragment: unknown, writer: StepWriter): void {
    if (typeof fragment !== 'string' || fragment.length === 0) return;
    const delta = tools.append(index, fragment);
    if (delta === undefined) return writer.malformed();
    writer.emit(factory.delta({ tool_calls: [delta] }));
  }

  return createUnitStreamTranslator<SseEvent>(createSseDecoder(), {
    handle(event, writer) {
      if (event.data.trim() === '[DONE]') return;
      const payload = parseJson(event.data);
      if (!isRecord(payload)) return writer.malformed();
      const type = stringOr(payload['type']) ?? event.event;
      const handler = type === undefined || !Object.hasOwn(handlers, type) ? undefined : handlers[type];
      handler?.(payload, writer);
    },
    endWithoutTerminator(writer) {
      writer.fail(streamEndedEarly('cohere'));
    },
  }, { factory: () => factory, includeUsage: context.includeUsage });
}
