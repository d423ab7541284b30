/**
 * The engine's StreamSink over a raw Node response: headers go out when the first content is ready,
 * each chunk is written as it arrives (never buffered: design §10.9), and a slow client applies
 * backpressure — the engine awaits 'drain' before reading further upstream bytes.
 */
import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, OpenAIErrorEnvelope } from '../openai/wire.js';
import { SSE_DONE, SSE_HEADERS, sseChunk, sseErrorTail } from '../openai/sse-writer.js';
import type { StreamSink, StreamStartInfo } from '../routing/types.js';

export interface SseSinkState {
  /** True once the status line and headers were sent. */
  readonly started: boolean;
  /** Assistant text sent so far (only collected when `collectText` is set: audit capture). */
  readonly text: string;
}

export interface SseSink extends StreamSink {
  state(): SseSinkState;
}

export function createSseSink(
  response: ServerResponse,
  options: { readonly headers: () => Readonly<Record<string, string>>; readonly onStart: (info: StreamStartInfo) => void; readonly collectText: boolean },
): SseSink {
  let started = false;
  let text = '';
  const write = (data: string): void | Promise<void> => {
    if (response.destroyed || response.writableEnded) return;
    if (response.write(data)) return;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  };
  return {
    start(info) {
      started = true;
      options.onStart(info);
      response.writeHead(200, { ...SSE_HEADERS, ...options.headers() });
      // Headers reach the client now, before the first chunk is computed (time to first byte).
      response.flushHeaders();
    },
    write(chunk: ChatCompletionChunk) {
      if (options.collectText) {
        const content = chunk.choices[0]?.delta.content;
        if (typeof content === 'string') text += content;
      }
      return write(sseChunk(chunk));
    },
    end() {
      if (response.destroyed || response.writableEnded) return;
      response.end(SSE_DONE);
    },
    error(envelope: OpenAIErrorEnvelope) {
      if (response.destroyed || response.writableEnded) return;
      response.end(sseErrorTail(envelope));
    },
    state: () => ({ started, text }),
  };
}
