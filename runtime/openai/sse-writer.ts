/**
 * OpenAI's stream framing, written by the gateway (providers.md §1.4): every event is exactly
 * `data: <json>\n\n` with no `event:` line; a successful stream ends with `data: [DONE]\n\n`.
 *
 * A failure after the first byte (design §3.6) is an in-band error event carrying the OpenAI envelope,
 * `data: {"error":{message,type,param,code}}\n\n`, followed by `data: [DONE]\n\n`. Why both:
 * openai-node's `Stream.fromSSEResponse` (src/core/streaming.ts) parses each `data:` event in order and
 * throws an `APIError` as soon as a parsed event has an `error` key — before it would read `[DONE]` — so
 * SDK users get an exception, not a truncated success (the Python SDK has the same check). A stream
 * that just stopped without `[DONE]` would, by contrast, end the SDK's iteration quietly; and design
 * §3.6 forbids a missing terminator, which line-oriented clients rely on to know the stream is over.
 * The test `test/unit/openai/sse-writer.test.ts` replays this output through the SDK to prove it.
 * @see https://github.com/openai/openai-node/blob/master/src/core/streaming.ts
 */
import { chunkJson, createChunkSerializer } from './chunk-json.js';
import type { ChatCompletionChunk, OpenAIErrorEnvelope } from './wire.js';

export const SSE_DONE = 'data: [DONE]\n\n';

/** One chunk as an SSE event. JSON never contains a raw newline, so one `data:` line suffices. */
export function sseChunk(chunk: ChatCompletionChunk): string {
  return `data: ${chunkJson(chunk)}\n\n`;
}

/** `sseChunk` for the chunks of one stream: their shared head is serialised once (chunk-json.ts), same bytes. */
export function createSseChunkWriter(): (chunk: ChatCompletionChunk) => string {
  const serialize = createChunkSerializer();
  return (chunk) => `data: ${serialize(chunk)}\n\n`;
}

/** The in-band error event (without the terminator; see `sseErrorTail`). */
export function sseError(envelope: OpenAIErrorEnvelope): string {
  return `data: ${JSON.stringify(envelope)}\n\n`;
}

/** What ends a failed stream: the error event, then `[DONE]`. */
export function sseErrorTail(envelope: OpenAIErrorEnvelope): string {
  return sseError(envelope) + SSE_DONE;
}

/** Response headers for an OpenAI-style event stream (no buffering by proxies, design §10.9). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
});
