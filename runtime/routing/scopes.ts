/**
 * Time budgets on the injected clock. A run scope holds the client's signal and the route's
 * `timeout_ms`; each attempt scope adds `max_latency_ms` to first content (and a stream attempt its idle
 * timer). Whatever fires first stops the attempt: its controller aborts with a `Stop` naming why (the
 * transport, told through that signal, releases the socket) and whatever the engine is waiting for
 * rejects with the same Stop at once.
 * Hot path: one LightAbortSignal per attempt (not an AbortController) and no event listeners of the
 * engine's own, because a simulation runs a hundred thousand of these.
 */
import type { Clock } from '../clock.js';
import { LightAbortSignal, type StopSignal } from '../stop-signal.js';
import { startTimer } from '../timers.js';

export type StopKind = 'latency' | 'timeout' | 'aborted' | 'stall';

/** The abort reason of every engine-made stop. */
export class Stop extends Error {
  readonly kind: StopKind;
  readonly budgetMs: number;
  constructor(kind: StopKind, budgetMs = 0) {
    // A Stop is control flow, not a bug: skip the stack trace, which costs more than the rest.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`attempt stopped: ${kind}`);
    Error.stackTraceLimit = limit;
    this.name = 'Stop';
    this.kind = kind;
    this.budgetMs = budgetMs;
  }
}

export interface RunScope {
  /** Why the run must end (deadline or client abort), once it must. */
  stopped(): Stop | undefined;
  /** Waits on the clock; rejects with the Stop when the run ends meanwhile. */
  sleep(ms: number): Promise<void>;
  /** The deadline stops applying (a stream's first content went out; design §3.6 takes over). */
  cancelDeadline(): void;
  remainingMs(): number;
  /** The client left: the run ends as an abort of the client's signal ends it. Needs no `this`. */
  abort(): void;
  /** Registers the running attempt's stop function; returns its removal. One attempt at a time. */
  attach(stop: (reason: Stop) => void): () => void;
  close(): void;
}

/*
 * The scopes below are built from object-literal methods and anonymous callbacks rather than named
 * inner arrow functions: they are created for every request, and method shorthand costs nothing
 * extra under every compiler (tsx's keep-names wrapping included).
 */

export function openRunScope(clock: Clock, timeoutMs: number, clientSignal: AbortSignal | undefined): RunScope {
  const startedAt = clock.monotonic();
  let stopped: Stop | undefined;
  let deadlineActive = true;
  let attempt: ((reason: Stop) => void) | undefined;
  let sleeping: { reject: (reason: Stop) => void; cancel: () => void } | undefined;
  const scope = {
    halt(reason: Stop): void {
      if (stopped !== undefined) return;
      stopped = reason;
      attempt?.(reason);
      const pending = sleeping;
      sleeping = undefined;
      pending?.cancel();
      pending?.reject(reason);
    },
    // The client signal's listener (the scope is its own listener object: no closure per request).
    handleEvent(): void {
      scope.abort();
    },
    abort(): void {
      scope.halt(new Stop('aborted'));
    },
    stopped(): Stop | undefined {
      return stopped;
    },
    sleep(ms: number): Promise<void> {
      if (stopped !== undefined) return Promise.reject(stopped);
      return new Promise<void>((resolve, reject) => {
        sleeping = {
          reject,
          cancel: startTimer(clock, ms, () => {
            sleeping = undefined;
            resolve();
          }),
        };
      });
    },
    cancelDeadline(): void {
      deadlineActive = false;
      cancelTimer();
    },
    remainingMs(): number {
      return deadlineActive ? Math.max(0, startedAt + timeoutMs - clock.monotonic()) : Number.POSITIVE_INFINITY;
    },
    attach(stop: (reason: Stop) => void): () => void {
      attempt = stop;
      if (stopped !== undefined) stop(stopped);
      return () => {
        if (attempt === stop) attempt = undefined;
      };
    },
    close(): void {
      cancelTimer();
      // The scope is its own listener object (handleEvent): no closure per request.
      clientSignal?.removeEventListener('abort', scope);
    },
  };
  const cancelTimer = startTimer(clock, timeoutMs, () => scope.halt(new Stop('timeout', timeoutMs)));
  if (clientSignal?.aborted === true) scope.halt(new Stop('aborted'));
  else clientSignal?.addEventListener('abort', scope, { once: true });
  return scope;
}

export interface AttemptScope {
  /** For the transport: aborted (with the Stop) when the attempt stops. */
  readonly signal: StopSignal;
  /**
   * Settles like `promise`, or rejects with the Stop as soon as the attempt stops: the engine never
   * depends on a transport honouring its signal to stop waiting. One at a time.
   */
  race<T>(promise: Promise<T>): Promise<T>;
  /** First content arrived: the latency budget is met. */
  firstContent(): void;
  /** Why the attempt was stopped, if it was. */
  stop(): Stop | undefined;
  /** Stops the attempt now (a stall, a client gone). */
  abort(stop: Stop): void;
  close(): void;
}

export function openAttemptScope(clock: Clock, run: RunScope, latencyBudgetMs: number | undefined): AttemptScope {
  const signal = new LightAbortSignal();
  let stopped: Stop | undefined;
  let pendingReject: ((reason: Stop) => void) | undefined;
  let cancelLatency: (() => void) | undefined;
  const scope = {
    signal,
    abort(reason: Stop): void {
      if (stopped !== undefined) return;
      stopped = reason;
      cancelLatency?.();
      const reject = pendingReject;
      pendingReject = undefined;
      signal.abort(reason);
      reject?.(reason);
    },
    race<T>(promise: Promise<T>): Promise<T> {
      if (stopped !== undefined) {
        promise.catch(() => undefined);
        return Promise.reject(stopped);
      }
      return new Promise<T>((resolve, reject) => {
        pendingReject = reject;
        promise.then(
          (value) => { pendingReject = undefined; resolve(value); },
          (error: unknown) => { pendingReject = undefined; reject(error as Error); },
        );
      });
    },
    firstContent(): void {
      cancelLatency?.();
    },
    stop(): Stop | undefined {
      return stopped;
    },
    close(): void {
      cancelLatency?.();
      detach();
      pendingReject = undefined;
    },
  };
  if (latencyBudgetMs !== undefined) {
    cancelLatency = startTimer(clock, latencyBudgetMs, () => scope.abort(new Stop('latency', latencyBudgetMs)));
  }
  const detach = run.attach((reason) => scope.abort(reason));
  return scope;
}
