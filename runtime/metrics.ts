/**
 * The gateway's Prometheus instruments (prom-client), in a registry per app instance so that tests
 * and several apps in one process never share counters. Label values are provider ids, model names,
 * route names and reason codes from the manifest and the engine — never request content or secrets.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The per-request counters' fast path. prom-client validates and hashes a label object on every
 * `inc` (≈ 0.3 µs each, five per request: issue 8 profile); here a request adds to a cell found by its
 * label values through one Map per label (manifest names are the same strings every time, their
 * hashes cached), and prom-client receives each cell's increase when the registry is read (the
 * counter's `collect`, which every read of /metrics or `get()` runs first). Same series, same values.
 */
export interface CounterCells {
  /** `values` in the counter's label order; `amount` must be finite and ≥ 0, as prom-client requires. */
  inc(values: readonly string[], amount?: number): void;
}

interface Cell {
  readonly labels: Record<string, string>;
  pending: number;
  reported: boolean;
}

type Level = Map<string, Level | Cell>;

function counterCells<L extends string>(labelNames: readonly L[]): CounterCells & { flush(counter: Counter<L>): void } {
  const root: Level = new Map();
  const cells: Cell[] = [];
  return {
    inc(values, amount = 1) {
      // prom-client's own checks, at the call as before.
      if (!Number.isFinite(amount)) throw new TypeError(`Value is not a valid number: ${String(amount)}`);
      if (amount < 0) throw new Error('It is not possible to decrease a counter');
      let level = root;
      const last = labelNames.length - 1;
      for (let index = 0; index < last; index += 1) {
        const value = values[index] ?? '';
        let next = level.get(value) as Level | undefined;
        if (next === undefined) {
          next = new Map();
          level.set(value, next);
        }
        level = next;
      }
      const value = values[last] ?? '';
      let cell = level.get(value) as Cell | undefined;
      if (cell === undefined) {
        const labels: Record<string, string> = {};
        labelNames.forEach((name, index) => { labels[name] = values[index] ?? ''; });
        cell = { labels, pending: 0, reported: false };
        level.set(value, cell);
        cells.push(cell);
      }
      cell.pending += amount;
    },
    flush(counter) {
      for (const cell of cells) {
        // A series first counted with 0 exists with 0, as after prom-client's own inc(labels, 0).
        if (cell.pending === 0 && cell.reported) continue;
        // A sum that left the finite numbers would fail this scrape and every later one: dropped.
        if (!Number.isFinite(cell.pending)) cell.pending = 0;
        counter.inc(cell.labels as Partial<Record<L, string>>, cell.pending);
        cell.pending = 0;
        cell.reported = true;
      }
    },
  };
}

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'status' | 'stream' | 'outcome'>;
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
  /** The request path's way to count into `requests`, `attempts`, `failovers`, `tokens` and `malformedEvents`. */
  readonly counts: {
    readonly requests: CounterCells;
    readonly attempts: CounterCells;
    readonly failovers: CounterCells;
    readonly tokens: CounterCells;
    readonly malformedEvents: CounterCells;
  };
}

/** Up to 10 minutes: a long stream (a reasoning model, a long answer) runs for minutes, not only seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export function createGatewayMetrics(options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'aigw_process_' });
  const registers = [registry];
  const counts = {
    requests: counterCells(['route', 'status', 'stream', 'outcome'] as const),
    attempts: counterCells(['provider', 'model', 'outcome', 'reason'] as const),
    failovers: counterCells(['provider', 'reason'] as const),
    tokens: counterCells(['provider', 'model', 'kind'] as const),
    malformedEvents: counterCells(['provider'] as const),
  };
  return {
    registry,
    requests: new Counter({ name: 'aigw_requests_total', help: 'Client requests by route, final status, stream flag and outcome (a stream ended by an in-band error is status 200, outcome interrupted).', labelNames: ['route', 'status', 'stream', 'outcome'], registers, collect() { counts.requests.flush(this); } }),
    requestDuration: new Histogram({ name: 'aigw_request_duration_seconds', help: 'Time from request to the end of the response, as the client saw it.', labelNames: ['route', 'stream'], buckets: LATENCY_BUCKETS, registers }),
    attempts: new Counter({ name: 'aigw_attempts_total', help: 'Upstream attempts by provider, model, outcome and failover reason (a failure no other call followed is outcome returned, not failover).', labelNames: ['provider', 'model', 'outcome', 'reason'], registers, collect() { counts.attempts.flush(this); } }),
    failovers: new Counter({ name: 'aigw_failovers_total', help: 'Failovers away from a provider, by reason.', labelNames: ['provider', 'reason'], registers, collect() { counts.failovers.flush(this); } }),
    upstreamLatency: new Histogram({ name: 'aigw_upstream_first_content_seconds', help: 'Time from sending an attempt to its first content (the latency target).', labelNames: ['provider', 'model'], buckets: LATENCY_BUCKETS, registers }),
    tokens: new Counter({ name: 'aigw_tokens_total', help: 'Tokens used, by the manifest model of the target that answered.', labelNames: ['provider', 'model', 'kind'], registers, collect() { counts.tokens.flush(this); } }),
    quotaRejections: new Counter({ name: 'aigw_quota_rejections_total', help: 'Requests refused by a credential quota.', labelNames: ['credential', 'exceeded'], registers }),
    inflightStreams: new Gauge({ name: 'aigw_inflight_streams', help: 'Streams being relayed now.', registers }),
    inflightRequests: new Gauge({ name: 'aigw_inflight_requests', help: 'Requests being served now (probes and /metrics scrapes not counted).', registers }),
    malformedEvents: new Counter({ name: 'aigw_malformed_upstream_events_total', help: 'Upstream stream events skipped because they could not be parsed.', labelNames: ['provider'], registers, collect() { counts.malformedEvents.flush(this); } }),
    circuitOpen: new Counter({ name: 'aigw_circuit_open_total', help: 'Times a target circuit opened.', labelNames: ['provider', 'model'], registers }),
    configReloads: new Counter({ name: 'aigw_config_reloads_total', help: 'Manifest reloads by result.', labelNames: ['result'], registers }),
    counts,
  };
}
