/**
 * Anthropic SSE (named events) → OpenAI chunks (providers.md §3.4, §3.6).
 *
 * message_start → role chunk (message id and model kept); content_block_start(tool_use) → the tool
 * call's first delta; text_delta → content; input_json_delta → argument fragment; message_delta →
 * stop reason and cumulative output usage; message_stop → finish chunk, usage chunk (when asked), done.
 * Tool-call `index` counts tool calls, not content blocks (text blocks take block indexes too).
 * `ping` and unknown events are ignored; `error` is an in-band failure with its own class (an
 * `overloaded_error` mid-stream fails over like a 529). A stream that ends without message_stop is
 * finalised when a message_delta already gave the stop reason, and is an error step otherwise.
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import type { ResponseContext, StreamTranslator } from '../contract.js';
import { createChunkFactory, type ChunkFactory } from '../chunks.js';
import { streamEndedEarly } from '../error-common.js';
import { createSseDecoder, type SseEvent } from '../sse-decoder.js';
import { isRecord, parseJson } from '../json-value.js';
import { createUnitStreamTranslator, type StepWriter } from '../stream-step.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { translateStreamError } from './error.js';
import { mapStopReason } from './finish-reason.js';
import { mergeUsage, readUsage, toOpenAIUsage } from './usage.js';
import type { WireUsage } from './wire.js';

type Payload = Readonly<Record<string, unknown>>;

export function createMessagesStreamTranslator(context: ResponseContext): StreamTranslator {
  const tools = createToolCallTracker();
  let factory: ChunkFactory = createChunkFactory(context);
  let usage: WireUsage = {};
  let stopReason: string | undefined;

  const complete = (writer: StepWriter): void => {
    const unclosed = tools.closeAll();
    if (unclosed.length > 0) writer.emit(factory.delta({ tool_calls: unclosed }));
    writer.complete(mapStopReason(stopReason), toOpenAIUsage(usage), stopReason);
  };

  const handlers: Readonly<Record<string, (payload: Payload, writer: StepWriter) => void>> = {
    message_start: (payload, writer) => {
      const message = isRecord(payload['message']) ? payload['message'] : {};
      const id = message['id'];
      const model = message['model'];
      factory = createChunkFactory(context, {
        ...(typeof id === 'string' ? { id } : {}),
        ...(typeof model === 'string' ? { model } : {}),
      });
      usage = readUsage(message['usage']);
      writer.emit(factory.role());
    },
    content_block_start: (payload, writer) => {
      const block = payload['content_block'];
      if (!isRecord(block)) return writer.malformed();
      if (block['type'] === 'tool_use' && typeof block['id'] === 'string' && typeof block['name'] === 'string') {
        writer.content();
        const key = blockKey(payload);
        writer.emit(factory.delta({ tool_calls: [tools.start(key, block['id'], block['name'])] }));
        // Anthropic starts with `input: {}` and streams the arguments; a compatible server may put them all here.
        const input = block['input'];
        const whole = isRecord(input) && Object.keys(input).length > 0 ? tools.append(key, JSON.stringify(input)) : undefined;
        if (whole !== undefined) writer.emit(factory.delta({ tool_calls: [whole] }));
      } else if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'].length > 0) {
        writer.content();
        writer.emit(factory.delta({ content: block['text'] }));
      }
    },
    content_block_delta: (payload, writer) => {
      const delta = payload['delta'];
      if (!isRecord(delta)) return writer.malformed();
      if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
        if (delta['text'].length === 0) return;
        writer.content();
        writer.emit(factory.delta({ content: delta['text'] }));
      } else if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string') {
        // The first fragment is often "": nothing to forward.
        const fragment = delta['partial_json'].length > 0 ? tools.append(blockKey(payload), delta['partial_json']) : undefined;
        if (fragment !== undefined) writer.emit(factory.delta({ tool_calls: [fragment] }));
      }
    },
    content_block_stop: (payload, writer) => {
      const index = payload['index'];
      const closing = typeof index === 'number' ? tools.close(index) : undefined;
      if (closing !== undefined) writer.emit(factory.delta({ tool_calls: [closing] }));
    },
    message_delta: (payload, writer) => {
      const delta = isRecord(payload['delta']) ? payload['delta'] : {};
      if (typeof delta['stop_reason'] === 'string') stopReason = delta['stop_reason'];
      if (isRecord(payload['usage'])) usage = mergeUsage(usage, payload['usage']);
      const reported = toOpenAIUsage(usage);
      if (reported !== undefined) writer.usage(reported);
    },
    message_stop: (_payload, writer) => complete(writer),
    // After the finish reason (message_delta) the answer is whole: an error in place of message_stop
    // ends it like a cut there would (endWithoutTerminator), not as a failure to continue elsewhere.
    error: (payload, writer) => (stopReason === undefined ? writer.fail(translateStreamError(payload)) : complete(writer)),
  };

  return createUnitStreamTranslator<SseEvent>(createSseDecoder(), {
    handle(event, writer) {
      const payload = parseJson(event.data);
      if (!isRecord(payload)) return writer.malformed();
      const type = typeof payload['type'] === 'string' ? payload['type'] : event.event;
      // ping and event types added later carry nothing to translate.
      const handler = type === undefined || !Object.hasOwn(handlers, type) ? undefined : handlers[type];
      handler?.(payload, writer);
    },
    endWithoutTerminator(writer) {
      if (stopReason !== undefined) complete(writer);
      else writer.fail(streamEndedEarly('anthropic'));
    },
  }, { factory: () => factory, includeUsage: context.includeUsage });
}

/** The content-block index that keys a tool call; a missing index is a malformed event. */
function blockKey(payload: Payload): number {
  const index = payload['index'];
  if (typeof index !== 'number') throw new TypeError('content block event without index');
  return index;
}
