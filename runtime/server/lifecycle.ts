/**
 * Graceful shutdown (design §5, issue 9 item 7): on SIGTERM the gateway turns not-ready, stops
 * accepting connections, lets in-flight requests and streams finish within the drain timeout, then
 * flushes the audit trail and closes its stores. Streams still open at the deadline are cut (their
 * clients see the connection end; their audit records are still written).
 */
import type { FastifyInstance } from 'fastify';

export interface DrainOptions {
  readonly apps: readonly FastifyInstance[];
  readonly drainTimeoutMs: number;
  /** Flips readiness to "draining" before anything closes. */
  readonly onDrainStart: () => void;
  /** Runs after the servers closed: flush audit, close limiters and config stores. */
  readonly closeResources: () => Promise<void>;
}

export async function drainAndClose(options: DrainOptions): Promise<{ forced: boolean }> {
  options.onDrainStart();
  let forced = false;
  const deadline = setTimeout(() => {
    forced = true;
    for (const app of options.apps) app.server.closeAllConnections();
  }, options.drainTimeoutMs);
  deadline.unref();
  try {
    // fastify.close() stops listening, answers 503 to requests arriving on kept-alive sockets, closes
    // idle sockets and resolves once every in-flight request has ended.
    await Promise.all(options.apps.map((app) => app.close()));
  } finally {
    clearTimeout(deadline);
  }
  await options.closeResources();
  return { forced };
}
