/**
 * Prometheus instruments of the audit pipeline, labelled by sink. Registered into the Registry the
 * runtime passes (served on /metrics); reused when one is already there (several writers in tests,
 * a writer rebuilt on reload).
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface AuditMetrics {
  /** Records waiting in memory. */
  readonly queueDepth: Gauge<'sink'>;
  /** Spooled bytes not yet delivered. */
  readonly spoolBytes: Gauge<'sink'>;
  readonly delivered: Counter<'sink'>;
  /** Records whose delivery failed and will be tried again (each failure counts). */
  readonly retried: Counter<'sink'>;
  /** Records the sink rejected for their content, written to the dead-letter file. */
  readonly deadLettered: Counter<'sink'>;
  /** Records lost: queue_full (memory bound), spool_full (disk bound), dead_letter_full. */
  readonly dropped: Counter<'sink' | 'reason'>;
}

export function createAuditMetrics(registry: Registry = new Registry()): AuditMetrics {
  const gauge = (name: string, help: string): Gauge<'sink'> =>
    reuse(registry, name, Gauge) ?? new Gauge({ name, help, labelNames: ['sink'], registers: [registry] });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    reuse(registry, name, Counter) ?? new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    queueDepth: gauge('aigw_audit_queue_depth', 'Audit records waiting in memory, per sink.'),
    spoolBytes: gauge('aigw_audit_spool_bytes', 'Spooled audit bytes not yet delivered, per sink.'),
    delivered: counter('aigw_audit_delivered_total', 'Audit records delivered, per sink.', ['sink']),
    retried: counter('aigw_audit_retried_total', 'Audit record deliveries that failed and will be retried.', ['sink']),
    deadLettered: counter('aigw_audit_dead_lettered_total', 'Audit records rejected for their content (dead-letter file).', ['sink']),
    dropped: counter('aigw_audit_dropped_total', 'Audit records lost because a bound was reached.', ['sink', 'reason']),
  };
}

function reuse<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const existing = registry.getSingleMetric(name);
  return existing instanceof kind ? existing : undefined;
}
