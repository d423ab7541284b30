/**
 * Ollama NDJSON → OpenAI chunks (providers.md §8.1). Each line is a partial chat response: the first
 * one opens the answer (role chunk, with the model Ollama names), `message.content` becomes content
 * deltas, tool calls arrive whole and become a first delta plus one argument fragment each, and the
 * `"done": true` line brings done_reason and the counts: finish chunk, usage chunk (when asked), done.
 * An `{"error"}` line is an in-band failure (the HTTP status stays 200). A body that ends without the
 * done line is an error step, never a clean finish.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-streaming
 */
import type { ResponseContext, StreamTranslator } from '../contract.js';
import { createChunkFactory, type ChunkFactory } from '../chunks.js';
import { malformedResponse, streamEndedEarly } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';
import { createNdjsonDecoder } from '../ndjson-decoder.js';
import { createUnitStreamTranslator, type StepWriter } from '../stream-step.js';
import { createToolCallTracker } from '../tool-call-deltas.js';
import { translateOllamaError } from './error.js';
import { mapDoneReason } from './finish-reason.js';
import { readToolCalls, toolCallId } from './tool-calls.js';
import { toOpenAIUsage } from './usage.js';

export function createChatStreamTranslator(context: ResponseContext): StreamTranslator {
  const tools = createToolCallTracker();
  let factory: ChunkFactory = createChunkFactory(context);
  let started = false;

  const open = (line: Readonly<Record<string, unknown>>, writer: StepWriter): void => {
    if (started) return;
    started = true;
    const model = stringOr(line['model']);
    factory = createChunkFactory(context, model === undefined ? {} : { model });
    writer.emit(factory.role());
  };

  return createUnitStreamTranslator<string>(createNdjsonDecoder(), {
    handle(text, writer) {
      const line = parseJson(text);
      if (!isRecord(line)) return writer.malformed();
      if (typeof line['error'] === 'string') return writer.fail(translateOllamaError(500, {}, line['error']));
      const message = isRecord(line['message']) ? line['message'] : {};
      open(line, writer);
      const content = stringOr(message['content']);
      if (content !== undefined && content.length > 0) {
        writer.content();
        writer.emit(factory.delta({ content }));
      }
      const calls = readToolCalls(message['tool_calls']);
      if (calls === undefined) {
        writer.fail(malformedResponse('ollama', 'a tool call without a function name'));
        return;
      }
      for (const call of calls) {
        const key = tools.count;
        writer.content();
        writer.emit(factory.delta({ tool_calls: [tools.start(key, call.id ?? toolCallId(context, key), call.name)] }));
        const fragment = tools.append(key, call.arguments);
        if (fragment !== undefined) writer.emit(factory.delta({ tool_calls: [fragment] }));
      }
      if (line['done'] === true) {
        const doneReason = stringOr(line['done_reason']);
        writer.complete(mapDoneReason(doneReason, tools.count > 0), toOpenAIUsage(line), doneReason);
      }
    },
    endWithoutTerminator(writer) {
      writer.fail(streamEndedEarly('ollama'));
    },
  }, { factory: () => factory, includeUsage: context.includeUsage });
}
