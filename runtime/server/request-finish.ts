/**
 * The end of every chat request: one audit record and the request's metrics, from its trace. Runs
 * once per request whether it answered, was rejected, failed in parsing or lost its client.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../metrics.js';
import type { EngineResult } from '../routing/types.js';
import { traceToAuditInput } from './audit-trace.js';
import type { GatewayDeps } from './gateway-deps.js';

export function finishRequest(request: FastifyRequest, reply: FastifyReply, deps: GatewayDeps): void {
  const trace = request.aigwTrace;
  if (trace.finished) return;
  trace.finished = true;
  const durationMs = deps.clock.monotonic() - trace.startedMonotonic;
  const status = trace.result?.status ?? reply.statusCode;
  try {
    deps.audit(traceToAuditInput(trace, {
      requestId: request.id,
      clientAddress: request.ip,
      userAgent: request.headers['user-agent'],
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status,
      durationMs,
    }), deps.config.current());
  } catch (error) {
    request.log.error({ err: error }, 'audit record failed');
  }
  recordMetrics(deps.metrics, trace.route ?? 'none', status, trace.stream, durationMs, trace.result);
}

function recordMetrics(metrics: GatewayMetrics, route: string, status: number, stream: boolean, durationMs: number, result: EngineResult | undefined): void {
  const streamLabel = stream ? 'true' : 'false';
  metrics.requests.inc({ route, status: String(status), stream: streamLabel });
  metrics.requestDuration.observe({ route, stream: streamLabel }, durationMs / 1000);
  if (result === undefined) return;
  for (const attempt of result.attempts) {
    metrics.attempts.inc({ provider: attempt.provider, model: attempt.model, outcome: attempt.outcome, reason: attempt.reason ?? 'none' });
    if (attempt.outcome === 'failover' || attempt.outcome === 'continued') {
      metrics.failovers.inc({ provider: attempt.provider, reason: attempt.reason ?? 'none' });
    }
    if (attempt.firstContentMs !== undefined) {
      metrics.upstreamLatency.observe({ provider: attempt.provider, model: attempt.model }, attempt.firstContentMs / 1000);
    }
    if (attempt.malformed !== undefined && attempt.malformed > 0) metrics.malformedEvents.inc({ provider: attempt.provider }, attempt.malformed);
  }
  if (result.usage !== undefined && result.provider !== undefined && result.model !== undefined) {
    const labels = { provider: result.provider, model: result.model };
    metrics.tokens.inc({ ...labels, kind: 'prompt' }, result.usage.prompt_tokens);
    metrics.tokens.inc({ ...labels, kind: 'completion' }, result.usage.completion_tokens);
  }
}
