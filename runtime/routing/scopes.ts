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
  readonly abort: () => void;
  /** Registers the running attempt, stopped with the run's Stop when the run ends. One at a time. */
  attach(attempt: StoppableAttempt): void;
  /** The attempt is over (a later one may have replaced it already). */
  detach(attempt: StoppableAttempt): void;
  close(): void;
}

/** What a run scope stops when the run ends. */
export interface StoppableAttempt {
  abort(reason: Stop): void;
}

/*
 * The scopes are classes: one object per request or attempt. Built as object literals of methods
 * they cost a closure per method on every request (issue 8: a held stream kept 18 of them), and a
 * simulation runs a hundred thousand of these.
 */

class OpenRunScope implements RunScope {
  private readonly startedAt: number;
  private readonly cancelTimer: () => void;
  private stoppedBy: Stop | undefined;
  private deadlineActive = true;
  private attempt: StoppableAttempt | undefined;
  private sleeping: { reject: (reason: Stop) => void; cancel: () => void } | undefined;

  // Handed out unbound (RunInput.onAbortable): the one method that is an arrow property.
  readonly abort = (): void => {
    this.halt(new Stop('aborted'));
  };

  constructor(private readonly clock: Clock, private readonly timeoutMs: number, private readonly clientSignal: AbortSignal | undefined) {
    this.startedAt = clock.monotonic();
    this.cancelTimer = startTimer(clock, timeoutMs, () => this.halt(new Stop('timeout', timeoutMs)));
    if (clientSignal?.aborted === true) this.halt(new Stop('aborted'));
    // The scope is its own listener object (handleEvent): no closure per request.
    else clientSignal?.addEventListener('abort', this, { once: true });
  }

  halt(reason: Stop): void {
    if (this.stoppedBy !== undefined) return;
    this.stoppedBy = reason;
    this.attempt?.abort(reason);
    const pending = this.sleeping;
    this.sleeping = undefined;
    pending?.cancel();
    pending?.reject(reason);
  }

  /** The client signal's listener. */
  handleEvent(): void {
    this.abort();
  }

  stopped(): Stop | undefined {
    return this.stoppedBy;
  }

  sleep(ms: number): Promise<void> {
    if (this.stoppedBy !== undefined) return Promise.reject(this.stoppedBy);
    return new Promise<void>((resolve, reject) => {
      this.sleeping = {
        reject,
        cancel: startTimer(this.clock, ms, () => {
          this.sleeping = undefined;
          resolve();
        }),
      };
    });
  }

  cancelDeadline(): void {
    this.deadlineActive = false;
    this.cancelTimer();
  }

  remainingMs(): number {
    return this.deadlineActive ? Math.max(0, this.startedAt + this.timeoutMs - this.clock.monotonic()) : Number.POSITIVE_INFINITY;
  }

  attach(attempt: StoppableAttempt): void {
    this.attempt = attempt;
    if (this.stoppedBy !== undefined) attempt.abort(this.stoppedBy);
  }

  detach(attempt: StoppableAttempt): void {
    if (this.attempt === attempt) this.attempt = undefined;
  }

  close(): void {
    this.cancelTimer();
    this.clientSignal?.removeEventListener('abort', this);
  }
}

export function openRunScope(clock: Clock, timeoutMs: number, clientSignal: AbortSignal | undefined): RunScope {
  return new OpenRunScope(clock, timeoutMs, clientSignal);
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

class OpenAttemptScope implements AttemptScope, StoppableAttempt {
  readonly signal = new LightAbortSignal();
  private stoppedBy: Stop | undefined;
  private pendingReject: ((reason: Stop) => void) | undefined;
  private readonly cancelLatency: (() => void) | undefined;

  constructor(clock: Clock, private readonly run: RunScope, latencyBudgetMs: number | undefined) {
    if (latencyBudgetMs !== undefined) {
      this.cancelLatency = startTimer(clock, latencyBudgetMs, () => this.abort(new Stop('latency', latencyBudgetMs)));
    }
    run.attach(this);
  }

  abort(reason: Stop): void {
    if (this.stoppedBy !== undefined) return;
    this.stoppedBy = reason;
    this.cancelLatency?.();
    const reject = this.pendingReject;
    this.pendingReject = undefined;
    this.signal.abort(reason);
    reject?.(reason);
  }

  race<T>(promise: Promise<T>): Promise<T> {
    if (this.stoppedBy !== undefined) {
      promise.catch(() => undefined);
      return Promise.reject(this.stoppedBy);
    }
    return new Promise<T>((resolve, reject) => {
      this.pendingReject = reject;
      promise.then(
        (value) => { this.pendingReject = undefined; resolve(value); },
        (error: unknown) => { this.pendingReject = undefined; reject(error as Error); },
      );
    });
  }

  firstContent(): void {
    this.cancelLatency?.();
  }

  stop(): Stop | undefined {
    return this.stoppedBy;
  }

  close(): void {
    this.cancelLatency?.();
    this.run.detach(this);
    this.pendingReject = undefined;
  }
}

export function openAttemptScope(clock: Clock, run: RunScope, latencyBudgetMs: number | undefined): AttemptScope {
  return new OpenAttemptScope(clock, run, latencyBudgetMs);
}
