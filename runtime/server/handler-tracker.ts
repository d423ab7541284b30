/**
 * Chat handlers still running. A handler writes its request's audit record when it ends, which can
 * be after the client's socket closed (a client that left mid-answer: the upstream call is aborted,
 * then the record is written). Shutdown waits for them before it closes the audit writer, or the
 * record of a client that left during the drain would be lost.
 */
export interface HandlerTracker {
  enter(): void;
  exit(): void;
  /** Resolves once no handler is running. */
  settled(): Promise<void>;
}

export function createHandlerTracker(): HandlerTracker {
  let running = 0;
  let waiters: (() => void)[] = [];
  return {
    enter() { running += 1; },
    exit() {
      running -= 1;
      if (running > 0) return;
      const resolve = waiters;
      waiters = [];
      for (const wake of resolve) wake();
    },
    settled: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => { waiters.push(resolve); })),
  };
}
