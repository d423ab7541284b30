/**
 * The engine's StreamSink over a raw Node response: headers go out with the first content, each chunk
 * is sent as it arrives (never held for later upstream data: design §10.9), and a slow client applies
 * backpressure — the engine awaits 'drain' before reading further upstream bytes.
 * The chunks translated from one upstream read arrive within one turn of the event loop; they are
 * joined and written once at the end of that turn (setImmediate): one HTTP chunk and one send per
 * upstream read instead of one per chunk (a quarter of a stream's CPU in the issue 8 profile).
 */
import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, OpenAIErrorEnvelope } from '../openai/wire.js';
import { createSseChunkWriter, SSE_DONE, SSE_HEADERS, sseErrorTail } from '../openai/sse-writer.js';
import type { StreamSink, StreamStartInfo } from '../routing/types.js';

export interface SseSinkState {
  /** True once the status line and headers were sent. */
  readonly started: boolean;
  /** Assistant text sent so far (only collected when `collectText` is set: audit capture). */
  readonly text: string;
}

/** A turn's chunks are written at once before they reach this size (about the socket's high-water mark). */
const FLUSH_AT_CHARS = 16 * 1024;

export interface SseSink extends StreamSink {
  state(): SseSinkState;
}

export function createSseSink(
  response: ServerResponse,
  options: { readonly headers: () => Readonly<Record<string, string>>; readonly onStart: (info: StreamStartInfo) => void; readonly collectText: boolean },
): SseSink {
  const sseChunk = createSseChunkWriter();
  let started = false;
  let text = '';
  let appended = 0;
  /** Written this turn, not yet handed to the socket. */
  let pending = '';
  let flushScheduled = false;
  /** Set while the socket buffer is over its high-water mark; the next write returns it. */
  let drained: Promise<void> | undefined;
  const waitForDrain = (): Promise<void> => new Promise<void>((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      drained = undefined;
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
  const flush = (): void => {
    flushScheduled = false;
    const data = pending;
    pending = '';
    if (data === '' || response.destroyed || response.writableEnded) return;
    if (!response.write(data)) drained ??= waitForDrain();
  };
  const write = (data: string): void | Promise<void> => {
    if (response.destroyed || response.writableEnded) return undefined;
    pending += data;
    if (pending.length >= FLUSH_AT_CHARS) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return drained;
  };
  /** Whatever this turn wrote, then `tail`, as the last write. */
  const finish = (tail: string): void => {
    if (response.destroyed || response.writableEnded) return;
    const data = pending + tail;
    pending = '';
    response.end(data);
  };
  return {
    start(info) {
      started = true;
      options.onStart(info);
      // No flushHeaders(): Node sends the head together with the first write, which follows at once.
      response.writeHead(200, { ...SSE_HEADERS, ...options.headers() });
    },
    write(chunk: ChatCompletionChunk) {
      if (options.collectText) {
        const content = chunk.choices[0]?.delta.content;
        if (typeof content === 'string') {
          text += content;
          // Flatten the appended pieces now and then (see routing/continuation.ts noteSent).
          if (++appended % 64 === 0) text.charCodeAt(0);
        }
      }
      return write(sseChunk(chunk));
    },
    end() {
      finish(SSE_DONE);
    },
    error(envelope: OpenAIErrorEnvelope) {
      finish(sseErrorTail(envelope));
    },
    state: () => ({ started, text }),
  };
}
