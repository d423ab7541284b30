/**
 * The engine's StreamSink over a raw Node response: headers go out with the first content, each chunk
 * is sent as it arrives (never held for later upstream data: design §10.9), and a slow client applies
 * backpressure — the engine awaits 'drain' before reading further upstream bytes.
 * The chunks translated from one upstream read arrive within one turn of the event loop; they are
 * joined and written once at the end of that turn (setImmediate): one HTTP chunk and one send per
 * upstream read instead of one per chunk (a quarter of a stream's CPU in the issue 8 profile).
 * A client that keeps its connection but reads nothing for CLIENT_DRAIN_TIMEOUT_MS while its socket
 * buffer is full is taken as gone: the response is destroyed, which aborts the upstream call as a
 * disconnect does (it would otherwise hold the stream and the upstream connection for ever).
 */
import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, ChunkDelta, OpenAIErrorEnvelope } from '../openai/wire.js';
import { createSseChunkWriter, SSE_DONE, SSE_HEADERS, sseErrorTail } from '../openai/sse-writer.js';
import type { StreamSink, StreamStartInfo } from '../routing/types.js';

export interface SseSinkState {
  /** True once the status line and headers were sent. */
  readonly started: boolean;
  /**
   * Assistant text sent so far, then its tool calls as `name(arguments)` lines, as a non-stream
   * answer's record renders them (only collected when `collectText` is set: audit capture).
   */
  readonly text: string;
}

/** A turn's chunks are written at once before they reach this size (about the socket's high-water mark). */
const FLUSH_AT_CHARS = 16 * 1024;

/** How long a client may leave a full socket buffer unread before it is taken as gone. */
export const CLIENT_DRAIN_TIMEOUT_MS = 60_000;

export interface SseSink extends StreamSink {
  state(): SseSinkState;
}

type SseSinkOptions = {
  readonly headers: () => Readonly<Record<string, string>>;
  readonly onStart: (info: StreamStartInfo) => void;
  readonly collectText: boolean;
  /** Tests only: CLIENT_DRAIN_TIMEOUT_MS. */
  readonly drainTimeoutMs?: number;
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
  /** Streamed tool calls by index: name and the argument text so far (audit capture only). */
  private calls: { name: string; args: string }[] | undefined;
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
      const delta = chunk.choices[0]?.delta;
      const content = delta?.content;
      if (typeof content === 'string') {
        this.text += content;
        // Flatten the appended pieces now and then (see routing/continuation.ts noteSent).
        if (++this.appended % 64 === 0) this.text.charCodeAt(0);
      }
      if (delta?.tool_calls !== undefined) this.collectCalls(delta.tool_calls);
    }
    return this.send(this.sseChunk(chunk));
  }

  private collectCalls(deltas: NonNullable<ChunkDelta['tool_calls']>): void {
    const calls = (this.calls ??= []);
    for (const delta of deltas) {
      const call = (calls[delta.index] ??= { name: '', args: '' });
      if (typeof delta.function?.name === 'string') call.name += delta.function.name;
      if (typeof delta.function?.arguments === 'string') call.args += delta.function.arguments;
    }
  }

  end(): void {
    this.finish(SSE_DONE);
  }

  error(envelope: OpenAIErrorEnvelope): void {
    this.finish(sseErrorTail(envelope));
  }

  state(): SseSinkState {
    if (this.calls === undefined) return { started: this.started, text: this.text };
    const calls = this.calls.filter((call) => call !== undefined).map((call) => `${call.name}(${call.args})`);
    return { started: this.started, text: [this.text, ...calls].filter((part) => part !== '').join('\n') };
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
      // A client that reads nothing: its socket is destroyed, 'close' follows and the run sees a disconnect.
      const stalled = setTimeout(() => response.destroy(), this.options.drainTimeoutMs ?? CLIENT_DRAIN_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(stalled);
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
