/**
 * Prometheus instruments of the audit pipeline, labelled by sink. Registered into the Registry the
 * runtime passes (served on /metrics); reused when one is already there (several writers in tests,
 * a writer rebuilt on reload).
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface AuditMetrics {
  /**
   * Records waiting in memory: read from each sink's queue when the metrics are collected, not set on
   * every enqueue (a labelled set per request on the hot path, issue 8). Returns the removal.
   */
  watchQueueDepth(sink: string, read: () => number): () => void;
  /** Spooled bytes not yet delivered. */
  readonly spoolBytes: Gauge<'sink'>;
  readonly delivered: Counter<'sink'>;
  /** Records whose delivery failed and will be tried again (each failure counts). */
  readonly retried: Counter<'sink'>;
  /** Records the sink rejected for their content, written to the dead-letter file. */
  readonly deadLettered: Counter<'sink'>;
  /** Records lost: queue_full (memory bound), spool_full (disk bound), spool_error (the disk refused a write), dead_letter_full. */
  readonly dropped: Counter<'sink' | 'reason'>;
}

/** Queue readers per depth gauge: a gauge is shared by the writers of one registry (see reuse). */
const DEPTH_READERS = new WeakMap<Gauge<'sink'>, Map<string, () => number>>();

export function createAuditMetrics(registry: Registry = new Registry()): AuditMetrics {
  const gauge = (name: string, help: string): Gauge<'sink'> =>
    reuse(registry, name, Gauge) ?? new Gauge({ name, help, labelNames: ['sink'], registers: [registry] });
  const depth = reuse<Gauge<'sink'>>(registry, 'aigw_audit_queue_depth', Gauge) ?? createDepthGauge(registry);
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    reuse(registry, name, Counter) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    watchQueueDepth(sink, read) {
      const readers = DEPTH_READERS.get(depth);
      readers?.set(sink, read);
      depth.set({ sink }, read());
      return () => {
        if (readers?.get(sink) !== read) return;
        depth.set({ sink }, read());
        readers.delete(sink);
      };
    },
    spoolBytes: gauge('aigw_audit_spool_bytes', 'Spooled audit bytes not yet delivered, per sink.'),
    delivered: counter('aigw_audit_delivered_total', 'Audit records delivered, per sink.', ['sink']),
    retried: counter('aigw_audit_retried_total', 'Audit record deliveries that failed and will be retried.', ['sink']),
    deadLettered: counter('aigw_audit_dead_lettered_total', 'Audit records rejected for their content (dead-letter file).', ['sink']),
    dropped: counter('aigw_audit_dropped_total', 'Audit records lost because a bound was reached.', ['sink', 'reason']),
  };
}

function createDepthGauge(registry: Registry): Gauge<'sink'> {
  const readers = new Map<string, () => number>();
  const gauge = new Gauge({
    name: 'aigw_audit_queue_depth',
    help: 'Audit records waiting in memory, per sink.',
    labelNames: ['sink'],
    registers: [registry],
    collect() {
      for (const [sink, read] of readers) this.set({ sink }, read());
    },
  });
  DEPTH_READERS.set(gauge, readers);
  return gauge;
}

function reuse<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const existing = registry.getSingleMetric(name);
  return existing instanceof kind ? existing : undefined;
}
