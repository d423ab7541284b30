/**
 * One request to a provider, driven through undici's dispatch handler API: the answer's head settles
 * `head`, and its body is collected for `text()` or handed out chunk by chunk to one iterator. This
 * replaces `agent.request()`, whose answer body is a Node Readable: building that stream, its events
 * and its async iterator cost a few µs on every request (issue 8 A/B) for a body the gateway reads
 * whole, or chunk by chunk, exactly once.
 *
 * Contract (transport.ts): `head` rejects with a TransportError when no answer head arrives and with
 * the signal's reason on an abort; the body fails with the reason after an abort, else with a
 * TransportError('body'). Leaving the body unread-to-the-end (a break, text() past its limit, an
 * abort) aborts the request, which closes the socket; a body that arrived whole leaves it pooled.
 * @see https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatcherdispatchoptions-handler
 */
import type { Dispatcher } from 'undici';
import { classifyNetworkError } from './classify-network-error.js';
import type { StopSignal } from '../stop-signal.js';
import type { TransportResponse } from './transport.js';

/** Bytes buffered ahead of a reader before the socket is paused (Node streams' default high-water mark). */
const HIGH_WATER_BYTES = 64 * 1024;

const decoder = new TextDecoder();

/** Why undici stops a request the gateway gave up on (never seen by a caller: they get the signal's reason or undefined). */
class ReleasedError extends Error {
  override readonly name = 'ReleasedError';
}

/** Lower-case names (undici's parsed headers already are); repeated headers joined with ", ". */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** What an aborted attempt fails with: the signal's reason, or an AbortError when it gave none. */
export function abortReason(signal: StopSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** A reader's "nothing to answer yet". */
const NOT_YET = Symbol('not yet');

const DONE: IteratorResult<Uint8Array, undefined> = Object.freeze({ value: undefined, done: true });

export class UpstreamExchange implements Dispatcher.DispatchHandler, TransportResponse {
  status = 0;
  headers: Readonly<Record<string, string>> = {};
  /** Settles once: with this exchange when the answer's head arrives, or with the failure before it. */
  readonly head: Promise<UpstreamExchange>;

  private readonly signal: StopSignal;
  private controller: Dispatcher.DispatchController | undefined;
  private resolveHead: ((exchange: UpstreamExchange) => void) | undefined;
  private rejectHead: ((reason: unknown) => void) | undefined;
  private chunks: Buffer[] = [];
  /** Bytes in `chunks`. */
  private buffered = 0;
  /** Bytes received in all (text()'s limit). */
  private received = 0;
  private ended = false;
  /** Set once the request failed or was given up: what reading the body throws (undefined: gave up quietly). */
  private failure: { readonly error: unknown } | undefined;
  /** The body's one reader (text() or the iterator) waiting for more: how to answer it. */
  private waiting: ((answer: unknown) => void) | undefined;
  private waitingFailed: ((reason: unknown) => void) | undefined;
  private waitingForText = false;
  /** text() reads the body: it is collected whole, never paused. */
  private readingText = false;
  private textLimit = Number.POSITIVE_INFINITY;
  private claimed = false;
  /** The reader has had all of it (the text, or the iterator's end): an abort changes nothing now. */
  private consumed = false;

  constructor(signal: StopSignal) {
    this.signal = signal;
    this.head = new Promise<UpstreamExchange>((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    signal.addEventListener('abort', this, { once: true });
  }

  /**
   * The signal's abort: what is pending fails with its reason, and so does the body, also when it has
   * arrived whole but is not read yet (transport.ts); a request still under way is stopped.
   */
  handleEvent(): void {
    if (this.failure !== undefined || this.consumed) return;
    const reason = abortReason(this.signal);
    this.failure = { error: reason };
    this.chunks = [];
    this.buffered = 0;
    const reject = this.rejectHead;
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    reject?.(reason);
    this.wake();
    // After the end the socket is back in the pool already, and aborting would be a no-op.
    if (!this.ended) this.controller?.abort(reason instanceof Error ? reason : new ReleasedError('aborted'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Called again when undici retries the request on a fresh socket: the newest controller counts.
    this.controller = controller;
    if (this.failure !== undefined || this.signal.aborted) {
      // Given up while it waited for a socket. Throwing here makes undici fail the request before
      // writing it and keep the socket; controller.abort() would destroy that healthy pooled socket
      // (undici lib/dispatcher/client-h1.js, writeH1: onConnect in a try, abort() destroys the socket).
      throw new ReleasedError('aborted before it was sent');
    }
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx (100 Continue, 103 Early Hints) precede the answer's own head.
    if (statusCode < 200 || this.resolveHead === undefined) return;
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
    const resolve = this.resolveHead;
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    resolve(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.failure !== undefined) return;
    this.received += chunk.length;
    if (this.received > this.textLimit) {
      // text() past its limit: it gets undefined, and the rest is not read.
      this.release();
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= HIGH_WATER_BYTES && !this.readingText) controller.pause();
    this.wake();
  }

  onResponseEnd(): void {
    // The abort listener stays until the reader has it all (an abort before then fails the body).
    this.ended = true;
    this.wake();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.signal.removeEventListener('abort', this);
    if (this.signal.aborted) this.fail(abortReason(this.signal));
    else this.fail(classifyNetworkError(error, this.resolveHead !== undefined));
  }

  /** The first failure wins: before the head it rejects `head`, after it it is what the body throws. */
  private fail(error: unknown): void {
    if (this.failure !== undefined || this.ended) return;
    this.failure = { error };
    const reject = this.rejectHead;
    this.resolveHead = undefined;
    this.rejectHead = undefined;
    reject?.(error);
    this.wake();
  }

  /** The reader no longer wants the rest: a body that arrived whole leaves its socket pooled. */
  private release(): void {
    if (this.ended) this.finishReading();
    if (this.ended || this.failure !== undefined) return;
    this.failure = { error: undefined };
    this.chunks = [];
    this.buffered = 0;
    this.signal.removeEventListener('abort', this);
    this.controller?.abort(new ReleasedError('the rest of the answer is not needed'));
    this.wake();
  }

  /** Answers the waiting reader when it can be answered now. */
  private wake(): void {
    const resolve = this.waiting;
    if (resolve === undefined) return;
    const reject = this.waitingFailed as (reason: unknown) => void;
    let answer: string | IteratorResult<Uint8Array, undefined> | undefined | typeof NOT_YET;
    try {
      answer = this.waitingForText ? this.takeText() : this.takePiece();
    } catch (error) {
      this.waiting = undefined;
      this.waitingFailed = undefined;
      reject(error);
      return;
    }
    if (answer === NOT_YET) return;
    this.waiting = undefined;
    this.waitingFailed = undefined;
    resolve(answer);
  }

  /** The reader has all of it: the signal no longer matters. */
  private finishReading(): void {
    this.consumed = true;
    this.signal.removeEventListener('abort', this);
  }

  /** An answer now, or a promise the next event that gives one settles (no async frame held between pieces). */
  private answer<T>(forText: boolean): Promise<T> {
    // One read at a time: a second would leave the first waiting for ever.
    if (this.waiting !== undefined) return Promise.reject(new Error('an answer body read is already waiting: await it before the next'));
    try {
      const answer = forText ? this.takeText() : this.takePiece();
      if (answer !== NOT_YET) return Promise.resolve(answer as T);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting = resolve as (answer: unknown) => void;
      this.waitingFailed = reject;
      this.waitingForText = forText;
    });
  }

  private claim(): void {
    if (this.claimed) throw new Error('an answer body is read once: with text() or by iterating it');
    this.claimed = true;
  }

  /** The whole body as UTF-8 text; undefined past `maxBytes` (the rest is not read and the socket closes). */
  text(maxBytes: number): Promise<string | undefined> {
    // A read after a failure fails as the first one did.
    if (this.failure !== undefined) return this.answer(true);
    this.claim();
    this.readingText = true;
    this.textLimit = maxBytes;
    if (this.received > maxBytes) {
      this.release();
      return Promise.resolve(undefined);
    }
    this.controller?.resume();
    return this.answer(true);
  }

  /** The text once the body has ended; throws the failure (undefined once given up). */
  private takeText(): string | undefined | typeof NOT_YET {
    if (this.failure !== undefined) {
      if (this.failure.error === undefined) return undefined;
      throw this.failure.error;
    }
    if (!this.ended) return NOT_YET;
    this.finishReading();
    const chunks = this.chunks;
    this.chunks = [];
    return decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.buffered));
  }

  get body(): AsyncIterable<Uint8Array> {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.claim();
    return new BodyIterator(this);
  }

  /** The next piece of the body for the iterator, or done; rejects with the failure. */
  read(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.answer(false);
  }

  private takePiece(): IteratorResult<Uint8Array, undefined> | typeof NOT_YET {
    if (this.buffered > 0) {
      // Everything that arrived since the last read, as one piece (as a Readable's read() gives it):
      // a busy gateway then parses and relays several events per turn instead of one turn each.
      const chunks = this.chunks;
      const value = chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
      this.controller?.resume();
      return { value, done: false };
    }
    if (this.ended) {
      this.finishReading();
      return DONE;
    }
    if (this.failure !== undefined) {
      if (this.failure.error === undefined) return DONE;
      throw this.failure.error;
    }
    return NOT_YET;
  }

  /** The iterator left early (break, return, throw). */
  stop(): void {
    this.release();
  }
}

/** The body's iterator: `return()` (a `break` out of for-await) gives the rest of the answer up. */
class BodyIterator implements AsyncIterator<Uint8Array, undefined> {
  private readonly exchange: UpstreamExchange;

  constructor(exchange: UpstreamExchange) {
    this.exchange = exchange;
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    return this.exchange.read();
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.exchange.stop();
    return Promise.resolve({ value: undefined, done: true });
  }
}
