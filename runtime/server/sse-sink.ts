/**
 * The engine's StreamSink over a raw Node response: headers go out when the first content is ready,
 * each chunk is written as it arrives (never buffered: design §10.9), and a slow client applies
 * backpressure — the engine awaits 'drain' before reading further upstream bytes.
 * Writes made in one turn of the event loop (the headers and the chunks translated from one upstream
 * read) are corked and leave in one system call at the end of that turn (setImmediate): one send per
 * upstream read instead of one per chunk, and nothing waits for later upstream data.
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
  let corked = false;
  const uncork = (): void => {
    corked = false;
    // end() uncorks fully; a later uncork could release a corked write of the connection's next response.
    if (!response.destroyed && !response.writableEnded) response.uncork();
  };
  const corkTurn = (): void => {
    if (corked) return;
    corked = true;
    response.cork();
    setImmediate(uncork);
  };
  const write = (data: string): void | Promise<void> => {
    if (response.destroyed || response.writableEnded) return;
    corkTurn();
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
      corkTurn();
      // The headers leave with the first chunks, which the engine writes right after start().
      response.writeHead(200, { ...SSE_HEADERS, ...options.headers() });
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
