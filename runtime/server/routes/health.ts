/**
 * /healthz: the process answers (liveness). /readyz: a manifest is live and the process is not
 * draining (readiness: Kubernetes stops sending traffic first). Audit sink health is reported in the
 * body but does not fail readiness: a down sink spools to disk and loses nothing.
 */
import type { FastifyInstance } from 'fastify';

export interface Readiness {
  /** Empty when ready; otherwise the reasons, e.g. "draining". */
  problems(): readonly string[];
  /** Informational state (audit sinks), shown but never failing readiness. */
  details(): Readonly<Record<string, unknown>>;
}

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const problems = readiness.problems();
    if (problems.length > 0) return reply.code(503).send({ status: 'not_ready', problems, ...readiness.details() });
    return { status: 'ready', ...readiness.details() };
  });
}
