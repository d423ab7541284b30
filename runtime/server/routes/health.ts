/**
 * /healthz: the process answers (liveness). /readyz: a manifest is loaded and the audit sinks are
 * healthy, and the process is not draining (readiness: Kubernetes stops sending traffic first).
 */
import type { FastifyInstance } from 'fastify';

export interface Readiness {
  /** Empty when ready; otherwise the reasons, e.g. "draining", "audit sink elasticsearch: spooling". */
  problems(): readonly string[];
}

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const problems = readiness.problems();
    if (problems.length > 0) return reply.code(503).send({ status: 'not_ready', problems });
    return { status: 'ready' };
  });
}
