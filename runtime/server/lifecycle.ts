/**
 * Graceful shutdown (design §5, issue 9 item 7): on SIGTERM the gateway turns not-ready, stops
 * accepting connections, lets in-flight requests and streams finish within the drain timeout, then
 * flushes the audit trail and closes its stores. At the deadline the runs still going are stopped
 * (`onDeadline`): a stream ends with an in-band `shutting_down` error event and `[DONE]` — never a
 * silent cut an SDK would take for a complete answer — and a request still waiting for its first byte
 * gets a 503. Connections still open a grace period later are closed.
 */
import type { FastifyInstance } from 'fastify';

export interface DrainOptions {
  readonly apps: readonly FastifyInstance[];
  readonly drainTimeoutMs: number;
  /** Flips readiness to "draining" before anything closes. */
  readonly onDrainStart: () => void;
  /** The drain timeout passed: stop the runs still in flight (they answer with `shutting_down`). */
  readonly onDeadline?: () => void;
  /** After the deadline, how long the stopped runs get to write their error before sockets close (default 1000). */
  readonly graceMs?: number;
  /** Resolves once every request handler ended (their audit records written); awaited, bounded, before closeResources. */
  readonly handlersSettled?: () => Promise<void>;
  /** Bound on that wait (default 5000 ms). */
  readonly handlersTimeoutMs?: number;
  /** Runs after the servers closed: flush audit, close limiters and config stores. */
  readonly closeResources: () => Promise<void>;
}

export async function drainAndClose(options: DrainOptions): Promise<{ forced: boolean }> {
  options.onDrainStart();
  let forced = false;
  let grace: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    forced = true;
    options.onDeadline?.();
    grace = setTimeout(() => {
      for (const app of options.apps) app.server.closeAllConnections();
    }, options.graceMs ?? 1_000);
    grace.unref();
  }, options.drainTimeoutMs);
  deadline.unref();
  // A connection whose last response ended during the drain stays open on keep-alive until the client
  // closes it, and close() waits for it: close such idle connections as soon as they become idle.
  const sweep = setInterval(() => {
    for (const app of options.apps) app.server.closeIdleConnections();
  }, 100);
  sweep.unref();
  try {
    // fastify.close() stops listening, closes idle sockets and resolves once every in-flight request
    // has ended; a request arriving meanwhile on a kept-alive socket gets a 503 (build-app.ts).
    await Promise.all(options.apps.map((app) => app.close()));
  } finally {
    clearTimeout(deadline);
    clearInterval(sweep);
    if (grace !== undefined) clearTimeout(grace);
  }
  // A client that left during the drain closed its socket before its handler wrote the audit record.
  if (options.handlersSettled !== undefined) {
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      options.handlersSettled(),
      new Promise<void>((resolve) => { bound = setTimeout(resolve, options.handlersTimeoutMs ?? 5_000); }),
    ]);
    clearTimeout(bound);
  }
  await options.closeResources();
  return { forced };
}
