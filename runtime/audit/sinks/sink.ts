/**
 * What the audit writer needs from a destination. A sink gets batches of serialized records and says
 * which to try again later (the sink is down or overloaded) and which it rejects for their content
 * (those go to the dead-letter file, never into a retry loop). Throwing means "retry them all".
 */
import type { QueuedRecord } from '../queue.js';

export interface RejectedRecord {
  readonly record: QueuedRecord;
  readonly status?: number;
  /** The destination's error type and reason (e.g. document_parsing_exception: …). */
  readonly reason: string;
}

export interface SinkWriteResult {
  readonly retry: readonly QueuedRecord[];
  readonly rejected: readonly RejectedRecord[];
}

export interface AuditSink {
  /** Stable label for metrics, logs and the spool file name: `jsonl`, `elasticsearch`. */
  readonly name: string;
  /** Batch shape this sink prefers (the writer's defaults otherwise). */
  readonly batch?: { readonly maxCount?: number; readonly maxBytes?: number; readonly intervalMs?: number };
  write(records: readonly QueuedRecord[]): Promise<SinkWriteResult>;
  /**
   * Sets the destination up when the writer opens (Elasticsearch: its index template), without
   * holding the start: a failure marks the sink unhealthy (readiness shows it before any record), and
   * its first write tries again.
   */
  prepare?(): Promise<void>;
  close(): Promise<void>;
}

export const DELIVERED: SinkWriteResult = Object.freeze({ retry: [], rejected: [] });
