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

type SseSinkOptions = {
  readonly headers: () => Readonly<Record<string, string>>;
  readonly onStart: (info: StreamStartInfo) => void;
  readonly collectText: boolean;
};

export function createSseSink(response: ServerResponse, options: SseSinkOptions): SseSink {
  return new ResponseSseSink(response, options);
}

/** A class, not an object of closures: one is held for every open stream (issue 8 memory). */
class ResponseSseSink implements SseSink {
  private readonly sseChunk = createSseChunkWriter();
  private started = false;
  private text = '';
  private appended = 0;
  /** Written this turn, not yet handed to the socket. */
  private pending = '';
  private flushScheduled = false;
  /** Set while the socket buffer is over its high-water mark; the next write returns it. */
  private drained: Promise<void> | undefined;

  constructor(private readonly response: ServerResponse, private readonly options: SseSinkOptions) {}

  // setImmediate calls it unbound: the one arrow property.
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const data = this.pending;
    this.pending = '';
    const response = this.response;
    if (data === '' || response.destroyed || response.writableEnded) return;
    if (!response.write(data)) this.drained ??= this.waitForDrain();
  };

  start(info: StreamStartInfo): void {
    this.started = true;
    this.options.onStart(info);
    // No flushHeaders(): Node sends the head together with the first write, which follows at once.
    this.response.writeHead(200, { ...SSE_HEADERS, ...this.options.headers() });
  }

  write(chunk: ChatCompletionChunk): void | Promise<void> {
    if (this.options.collectText) {
      const content = chunk.choices[0]?.delta.content;
      if (typeof content === 'string') {
        this.text += content;
        // Flatten the appended pieces now and then (see routing/continuation.ts noteSent).
        if (++this.appended % 64 === 0) this.text.charCodeAt(0);
      }
    }
    return this.send(this.sseChunk(chunk));
  }

  end(): void {
    this.finish(SSE_DONE);
  }

  error(envelope: OpenAIErrorEnvelope): void {
    this.finish(sseErrorTail(envelope));
  }

  state(): SseSinkState {
    return { started: this.started, text: this.text };
  }

  private send(data: string): void | Promise<void> {
    const response = this.response;
    if (response.destroyed || response.writableEnded) return undefined;
    this.pending += data;
    if (this.pending.length >= FLUSH_AT_CHARS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return this.drained;
  }

  /** Whatever this turn wrote, then `tail`, as the last write. */
  private finish(tail: string): void {
    const response = this.response;
    if (response.destroyed || response.writableEnded) return;
    const data = this.pending + tail;
    this.pending = '';
    response.end(data);
  }

  private waitForDrain(): Promise<void> {
    const response = this.response;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        response.off('drain', done);
        response.off('close', done);
        this.drained = undefined;
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }
}
