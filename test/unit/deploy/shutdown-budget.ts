/**
 * How long `aigw serve` may take from SIGTERM to exit, read from the runtime's own shutdown code
 * rather than restated: drainAndClose (runtime/server/lifecycle.ts) runs on mocked timers with a
 * connection that never ends and a handler that never settles, so every bound it has is used up;
 * the audit writer's close (AUDIT_WRITER_DEFAULTS.closeTimeoutMs) follows it in closeAfterAudit.
 */
import { mock } from 'node:test';
import { AUDIT_WRITER_DEFAULTS } from '../../../runtime/audit/audit-writer.js';
import { drainAndClose } from '../../../runtime/server/lifecycle.js';

const TICK_MS = 100;

/** Virtual ms from SIGTERM until closeResources starts: drain timeout + the steps after its deadline. */
export async function measureDrainMs(drainTimeoutMs: number): Promise<number> {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  try {
    let endConnections: () => void = () => {};
    const connectionsEnded = new Promise<void>((resolve) => { endConnections = resolve; });
    // A stream that outlives the drain: close() resolves only once the deadline closes every connection.
    const app = { close: () => connectionsEnded, server: { closeAllConnections: () => endConnections(), closeIdleConnections: () => {} } };
    let elapsed = 0;
    let closeResourcesAt: number | undefined;
    const done = drainAndClose({
      // Only the members drainAndClose touches; a whole Fastify instance is not needed to time it.
      apps: [app as never],
      drainTimeoutMs,
      onDrainStart: () => {},
      handlersSettled: () => new Promise<void>(() => {}),
      closeResources: async () => { closeResourcesAt = elapsed; },
    });
    const limit = drainTimeoutMs + 10 * 60_000;
    while (closeResourcesAt === undefined && elapsed < limit) {
      mock.timers.tick(TICK_MS);
      elapsed += TICK_MS;
      // Let the promise chain after each timer run before the next tick.
      for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
    }
    await done;
    if (closeResourcesAt === undefined) throw new Error(`drainAndClose did not reach closeResources within ${limit} ms`);
    return closeResourcesAt;
  } finally {
    mock.timers.reset();
  }
}

/** SIGTERM to the end of the audit flush, at every bound: the drain, its aftermath, then the audit close. */
export async function measureShutdownMs(drainTimeoutMs: number): Promise<number> {
  return (await measureDrainMs(drainTimeoutMs)) + AUDIT_WRITER_DEFAULTS.closeTimeoutMs;
}
