/**
 * Time budgets as abort signals on the injected clock. A run scope carries the client's signal and the
 * route's `timeout_ms`; each attempt scope adds `max_latency_ms` to first content, and, for streams, the
 * idle timer. Whatever fires first aborts the attempt's controller with a `Stop` naming why, and the
 * transport, told through the same signal, releases the socket.
 */
import type { Clock } from '../clock.js';

export type StopKind = 'latency' | 'timeout' | 'aborted' | 'stall';

/** The abort reason of every engine-made signal. */
export class Stop extends Error {
  readonly kind: StopKind;
  readonly budgetMs: number;
  constructor(kind: StopKind, budgetMs = 0) {
    super(`attempt stopped: ${kind}`);
    this.name = 'Stop';
    this.kind = kind;
    this.budgetMs = budgetMs;
  }
}

/** Calls `fire` after `ms` on the clock unless cancelled first. Returns the cancel function. */
export function startTimer(clock: Clock, ms: number, fire: () => void): () => void {
  const controller = new AbortController();
  clock.sleep(ms, controller.signal).then(fire, () => undefined);
  return () => controller.abort();
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as it aborts: the engine never
 * depends on a transport honouring its signal to stop waiting.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error as Error); },
    );
  });
}

export interface RunScope {
  readonly signal: AbortSignal;
  /** The deadline stops applying (a stream's first content went out; design §3.6 takes over). */
  cancelDeadline(): void;
  remainingMs(): number;
  close(): void;
}

/** The client's signal and the route's overall deadline, combined into one signal. */
export function openRunScope(clock: Clock, timeoutMs: number, clientSignal: AbortSignal | undefined): RunScope {
  const controller = new AbortController();
  const startedAt = clock.monotonic();
  let deadlineActive = true;
  const cancelTimer = startTimer(clock, timeoutMs, () => controller.abort(new Stop('timeout', timeoutMs)));
  const onClientAbort = (): void => controller.abort(new Stop('aborted'));
  if (clientSignal?.aborted === true) onClientAbort();
  else clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  return {
    signal: controller.signal,
    cancelDeadline() {
      deadlineActive = false;
      cancelTimer();
    },
    remainingMs: () => (deadlineActive ? Math.max(0, startedAt + timeoutMs - clock.monotonic()) : Number.POSITIVE_INFINITY),
    close() {
      cancelTimer();
      clientSignal?.removeEventListener('abort', onClientAbort);
    },
  };
}

export interface AttemptScope {
  readonly signal: AbortSignal;
  /** First content arrived: the latency budget is met. */
  firstContent(): void;
  /** Why the attempt was stopped, if it was. */
  stop(): Stop | undefined;
  /** Stops the attempt now (the engine got what it needed, or gave up on it). */
  abort(stop: Stop): void;
  close(): void;
}

/** One attempt: aborted by the run scope, or when `latencyBudgetMs` passes before first content. */
export function openAttemptScope(clock: Clock, run: RunScope, latencyBudgetMs: number | undefined): AttemptScope {
  const controller = new AbortController();
  const onRunAbort = (): void => controller.abort(run.signal.reason);
  if (run.signal.aborted) onRunAbort();
  else run.signal.addEventListener('abort', onRunAbort, { once: true });
  let cancelLatency: () => void = () => undefined;
  if (latencyBudgetMs !== undefined) {
    cancelLatency = startTimer(clock, latencyBudgetMs, () => controller.abort(new Stop('latency', latencyBudgetMs)));
  }
  return {
    signal: controller.signal,
    firstContent: () => cancelLatency(),
    stop: () => (controller.signal.aborted && controller.signal.reason instanceof Stop ? controller.signal.reason : undefined),
    abort: (stop) => controller.abort(stop),
    close() {
      cancelLatency();
      run.signal.removeEventListener('abort', onRunAbort);
    },
  };
}
