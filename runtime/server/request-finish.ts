/**
 * The end of every chat request: one audit record and the request's metrics, from its trace. Runs
 * once per request whether it answered, was rejected, failed in parsing or lost its client.
 */
import type { FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../metrics.js';
import { countedOutcome, isFailover, lastCallIndex } from '../routing/counted-outcome.js';
import type { EngineResult, RunOutcome } from '../routing/types.js';
import { CLIENT_CLOSED_STATUS } from '../routing/engine.js';
import { traceToAuditInput } from './audit-trace.js';
import type { GatewayDeps, RequestTrace } from './gateway-deps.js';
import type { LiveConfig } from './live-config.js';

/** `statusCode`: the response's (the run's result, when there is one, wins). */
export function finishRequest(request: FastifyRequest, statusCode: number, deps: GatewayDeps): void {
  const trace = request.aigwTrace;
  if (trace.finished) return;
  trace.finished = true;
  const durationMs = deps.clock.monotonic() - trace.startedMonotonic;
  const status = trace.result?.status ?? statusCode;
  try {
    deps.audit(traceToAuditInput(trace, {
      requestId: request.id,
      clientAddress: request.ip,
      userAgent: request.headers['user-agent'],
      method: request.method,
      path: pathOf(request.url),
      status,
      durationMs,
    }), configOf(trace, deps));
  } catch (error) {
    request.log.error({ err: error }, 'audit record failed');
  }
  recordMetrics(deps.metrics, trace.route ?? 'none', status, trace.stream, durationMs, trace.result);
}

/**
 * The config the request ran on, whose capture policy its record follows (audit-trace.ts): a reload
 * while a stream runs must not capture a prompt its own config said not to. The handler's snapshot;
 * for a request that never reached the handler, the one onRequest authenticated against, else the live one.
 */
function configOf(trace: Readonly<RequestTrace>, deps: GatewayDeps): LiveConfig {
  return trace.live ?? trace.authenticatedAgainst ?? deps.config.current();
}

/** The URL without its query. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Status codes as label values, made once each. */
const STATUS_LABELS = new Map<number, string>();

function statusLabel(status: number): string {
  let label = STATUS_LABELS.get(status);
  if (label === undefined) {
    label = String(status);
    STATUS_LABELS.set(status, label);
  }
  return label;
}

/** The outcome of a request the engine never ran (refused, malformed, or left by its client). */
function outcomeOf(status: number): RunOutcome {
  if (status === CLIENT_CLOSED_STATUS) return 'aborted';
  return status >= 400 ? 'error' : 'success';
}

function recordMetrics(metrics: GatewayMetrics, route: string, status: number, stream: boolean, durationMs: number, result: EngineResult | undefined): void {
  const { counts } = metrics;
  const streamLabel = stream ? 'true' : 'false';
  counts.requests.inc([route, statusLabel(status), streamLabel, result?.outcome ?? outcomeOf(status)]);
  metrics.requestDuration.observe({ route, stream: streamLabel }, durationMs / 1000);
  if (result === undefined) return;
  const { attempts } = result;
  // A failover counts when another call followed it: the last candidate's failure went nowhere.
  const lastCall = lastCallIndex(attempts);
  for (let index = 0; index < attempts.length; index += 1) {
    const attempt = attempts[index] as (typeof attempts)[number];
    const outcome = countedOutcome(attempts, index, lastCall);
    counts.attempts.inc([attempt.provider, attempt.model, outcome, attempt.reason ?? 'none']);
    if (isFailover(outcome)) counts.failovers.inc([attempt.provider, attempt.reason ?? 'none']);
    if (attempt.firstContentMs !== undefined) {
      metrics.upstreamLatency.observe({ provider: attempt.provider, model: attempt.model }, attempt.firstContentMs / 1000);
    }
    if (attempt.malformed !== undefined && attempt.malformed > 0) counts.malformedEvents.inc([attempt.provider], attempt.malformed);
  }
  // Labelled with the manifest's model (the answering attempt's), not the one the provider reports
  // (gpt-4o-mini-2024-07-18): label values stay manifest names, bounded, and join the attempt metrics.
  const answered = attempts.findLast((attempt) => attempt.outcome === 'success');
  if (result.usage !== undefined && result.provider !== undefined && answered !== undefined) {
    counts.tokens.inc([result.provider, answered.model, 'prompt'], result.usage.prompt_tokens);
    counts.tokens.inc([result.provider, answered.model, 'completion'], result.usage.completion_tokens);
  }
}
