/**
 * The gateway's Prometheus instruments (prom-client), in a registry per app instance so that tests
 * and several apps in one process never share counters. Label values are provider ids, model names,
 * route names and reason codes from the manifest and the engine — never request content or secrets.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status' | 'stream'>;
  readonly requestDuration: Histogram<'route' | 'stream'>;
  readonly attempts: Counter<'provider' | 'model' | 'outcome' | 'reason'>;
  readonly failovers: Counter<'provider' | 'reason'>;
  readonly upstreamLatency: Histogram<'provider' | 'model'>;
  readonly tokens: Counter<'provider' | 'model' | 'kind'>;
  readonly quotaRejections: Counter<'credential' | 'exceeded'>;
  readonly inflightStreams: Gauge;
  readonly inflightRequests: Gauge;
  readonly malformedEvents: Counter<'provider'>;
  readonly circuitOpen: Counter<'provider' | 'model'>;
  readonly configReloads: Counter<'result'>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createGatewayMetrics(options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'aigw_process_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'aigw_requests_total', help: 'Client requests by route, final status and stream flag.', labelNames: ['route', 'status', 'stream'], registers }),
    requestDuration: new Histogram({ name: 'aigw_request_duration_seconds', help: 'Time from request to the end of the response, as the client saw it.', labelNames: ['route', 'stream'], buckets: LATENCY_BUCKETS, registers }),
    attempts: new Counter({ name: 'aigw_attempts_total', help: 'Upstream attempts by provider, model, outcome and failover reason.', labelNames: ['provider', 'model', 'outcome', 'reason'], registers }),
    failovers: new Counter({ name: 'aigw_failovers_total', help: 'Failovers away from a provider, by reason.', labelNames: ['provider', 'reason'], registers }),
    upstreamLatency: new Histogram({ name: 'aigw_upstream_first_content_seconds', help: 'Time from sending an attempt to its first content (the latency target).', labelNames: ['provider', 'model'], buckets: LATENCY_BUCKETS, registers }),
    tokens: new Counter({ name: 'aigw_tokens_total', help: 'Tokens used, by the model that answered.', labelNames: ['provider', 'model', 'kind'], registers }),
    quotaRejections: new Counter({ name: 'aigw_quota_rejections_total', help: 'Requests refused by a credential quota.', labelNames: ['credential', 'exceeded'], registers }),
    inflightStreams: new Gauge({ name: 'aigw_inflight_streams', help: 'Streams being relayed now.', registers }),
    inflightRequests: new Gauge({ name: 'aigw_inflight_requests', help: 'Requests being served now.', registers }),
    malformedEvents: new Counter({ name: 'aigw_malformed_upstream_events_total', help: 'Upstream stream events skipped because they could not be parsed.', labelNames: ['provider'], registers }),
    circuitOpen: new Counter({ name: 'aigw_circuit_open_total', help: 'Times a target circuit opened.', labelNames: ['provider', 'model'], registers }),
    configReloads: new Counter({ name: 'aigw_config_reloads_total', help: 'Manifest reloads by result.', labelNames: ['result'], registers }),
  };
}
