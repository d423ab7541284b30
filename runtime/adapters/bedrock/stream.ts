/**
 * ConverseStream event frames → OpenAI chunks (providers.md §5.4, §5.6):
 * messageStart → role chunk; contentBlockStart{toolUse} → the tool call's first delta (id, name);
 * contentBlockDelta → text or an arguments fragment (reasoning deltas are left out);
 * messageStop → the stop reason; metadata (after messageStop) → usage, then the finish chunk, the usage
 * chunk when asked, and done. `:message-type: exception` frames are in-band errors with their own
 * failover class; a frame with a bad CRC ends the stream as an error (never a crash); a payload that is
 * not JSON is skipped and counted. The `"p"` padding field is ignored. A body that ends after
 * messageStop but before metadata is finalised without usage — unknown, not 0: no usage chunk, and the
 * step reports none, so the quota keeps its reservation (design §3.8, §5); one that ends earlier is
 * truncated.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 */
import type { ResponseContext, StreamTranslator } from '../contract.js';
import { createChunkFactory } from '../chunks.js';
import { providerFailure, streamEndedEarly } from '../error-common.js';
import { isRecord, numberOr, parseJson, stringOr } from '../json-value.js';
import { createUnitStreamTranslator, type StepWriter } from '../stream-step.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { translateStreamException } from './error.js';
import { createEventStreamDecoder, type EventStreamUnit } from './event-stream.js';
import { mapBedrockStopReason } from './finish-reason.js';
import { bedrockUsage } from './response.js';

type Payload = Readonly<Record<string, unknown>>;

const decoder = new TextDecoder('utf-8', { fatal: true });

export function createBedrockStreamTranslator(context: ResponseContext): StreamTranslator {
  const factory = createChunkFactory(context);
  const tools = createToolCallTracker();
  let started = false;
  let stopReason: string | undefined;
  let stopped = false;

  const start = (writer: StepWriter): void => {
    if (started) return;
    started = true;
    writer.emit(factory.role());
  };

  const complete = (writer: StepWriter, usage: ReturnType<typeof bedrockUsage>): void => {
    const finish = mapBedrockStopReason(stopReason);
    const unclosed = tools.closeAll();
    if (unclosed.length > 0 && finish.type !== 'error') writer.emit(factory.delta({ tool_calls: unclosed }));
    if (finish.type === 'error') {
      if (usage !== undefined) writer.usage(usage);
      writer.fail(finish.error);
    } else writer.complete(finish.reason, usage, stopReason);
  };

  const events: Readonly<Record<string, (payload: Payload, writer: StepWriter) => void>> = {
    messageStart: (_payload, writer) => start(writer),
    contentBlockStart: (payload, writer) => {
      const begin = isRecord(payload['start']) ? payload['start'] : {};
      const toolUse = begin['toolUse'];
      if (!isRecord(toolUse) || typeof toolUse['toolUseId'] !== 'string' || typeof toolUse['name'] !== 'string') return;
      start(writer);
      writer.content();
      writer.emit(factory.delta({ tool_calls: [tools.start(blockIndex(payload), toolUse['toolUseId'], toolUse['name'])] }));
    },
    contentBlockDelta: (payload, writer) => {
      const delta = isRecord(payload['delta']) ? payload['delta'] : {};
      const text = stringOr(delta['text']);
      if (text !== undefined) {
        if (text === '') return;
        start(writer);
        writer.content();
        writer.emit(factory.delta({ content: text }));
        return;
      }
      const toolUse = delta['toolUse'];
      if (isRecord(toolUse) && typeof toolUse['input'] === 'string') {
        const fragment = tools.append(blockIndex(payload), toolUse['input']);
        if (fragment === undefined) writer.malformed();
        else if (toolUse['input'] !== '') writer.emit(factory.delta({ tool_calls: [fragment] }));
      }
      // reasoningContent deltas (text, signature, redactedContent) have no OpenAI chunk field.
    },
    contentBlockStop: (payload, writer) => {
      const closing = tools.close(blockIndex(payload));
      if (closing !== undefined) writer.emit(factory.delta({ tool_calls: [closing] }));
    },
    messageStop: (payload) => {
      stopped = true;
      stopReason = stringOr(payload['stopReason']);
    },
    metadata: (payload, writer) => {
      start(writer);
      complete(writer, bedrockUsage(payload['usage']));
    },
  };

  const handle = (unit: EventStreamUnit, writer: StepWriter): void => {
    if (unit.type === 'framing-error') {
      writer.fail(providerFailure(`Bedrock stream framing error: ${unit.reason}.`, 'event_stream_framing'));
      return;
    }
    const { headers } = unit.frame;
    const payload = parseJson(decoder.decode(unit.frame.payload));
    const messageType = headers[':message-type'];
    if (messageType === 'exception') {
      writer.fail(translateStreamException(headers[':exception-type'] ?? 'internalServerException', payload));
      return;
    }
    if (messageType === 'error') {
      // The generic smithy error frame carries its code and message in headers.
      writer.fail(translateStreamException(headers[':error-code'] ?? 'internalServerException', { message: headers[':error-message'] }));
      return;
    }
    if (!isRecord(payload)) {
      writer.malformed();
      return;
    }
    events[headers[':event-type'] ?? '']?.(payload, writer);
  };

  const endOfBody = (writer: StepWriter): void => {
    // metadata, the event that carries the usage, never came: the answer is complete, its usage unknown.
    if (stopped) complete(writer, undefined);
    else writer.fail(streamEndedEarly('bedrock'));
  };

  return createUnitStreamTranslator(createEventStreamDecoder(), { handle, endWithoutTerminator: endOfBody }, {
    factory: () => factory,
    includeUsage: context.includeUsage,
  });
}

function blockIndex(payload: Payload): number {
  return numberOr(payload['contentBlockIndex']) ?? 0;
}
