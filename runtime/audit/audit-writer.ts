/**
 * The audit trail's front door for the runtime: `enqueue(record)` on the request path (synchronous,
 * O(1), never throws, never waits), one delivery channel per sink behind it (sink-channel.ts),
 * `flush()`/`close()` for SIGTERM, `status()` for /readyz, metrics into the runtime's Registry.
 *
 *     const writer = await createAuditWriter({ sinks: await createAuditSinks(manifest.audit.sinks, …), spoolDirectory });
 *     writer.enqueue(buildAuditRecord(input, capture));
 *     await writer.close(5_000); // on SIGTERM: delivers, or spools what it cannot deliver in time
 */
import type { Registry } from 'prom-client';
import type { AuditSinkConfig } from '../manifest/types.js';
import type { Clock } from '../clock.js';
import { createAuditMetrics } from './audit-metrics.js';
import { toQueuedRecord } from './queue.js';
import type { AuditRecord } from './record.js';
import { openSinkChannel, type AuditLog, type SinkChannel, type SinkStatus } from './sink-channel.js';
import type { AuditSink } from './sinks/sink.js';

export interface AuditWriterOptions {
  readonly sinks: readonly AuditSink[];
  /** Folder for each sink's spool and dead-letter files (created when missing). */
  readonly spoolDirectory: string;
  /** Records held in memory per sink before spilling to disk (default 10 000; spills from half). */
  readonly queueCapacity?: number;
  /** Bytes held in memory per sink (default 64 MiB). */
  readonly queueMaxBytes?: number;
  /** Spool (and dead-letter) size bound per sink (default 1 GiB); past it records are dropped loudly. */
  readonly spoolMaxBytes?: number;
  /** Retry backoff of a failing sink (default 500 ms doubling to 30 s). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly metrics?: Registry;
  /** pino: `(level, message, fields) => logger[level](fields, message)`. */
  readonly log?: AuditLog;
  /** Batch intervals, backoff and flush deadlines (default: the real clock). */
  readonly clock?: Clock;
}

export interface AuditWriter {
  /** Queues a record for every sink. Synchronous; a full queue drops loudly instead of blocking. */
  enqueue(record: AuditRecord): void;
  /** Delivers everything queued or spooled; false when `timeoutMs` (default 5 s) passed first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes within `timeoutMs` (default 5 s), spools what is left, closes the sinks. */
  close(timeoutMs?: number): Promise<void>;
  status(): readonly SinkStatus[];
}

export const AUDIT_WRITER_DEFAULTS = {
  queueCapacity: 10_000,
  queueMaxBytes: 64 * 1024 * 1024,
  spoolMaxBytes: 1024 * 1024 * 1024,
  backoff: { initialMs: 500, maxMs: 30_000 },
  closeTimeoutMs: 5_000,
} as const;

export async function createAuditWriter(options: AuditWriterOptions): Promise<AuditWriter> {
  const metrics = createAuditMetrics(options.metrics);
  const log: AuditLog = options.log ?? (() => {});
  const labels = uniqueLabels(options.sinks.map((sink) => sink.name));
  const channels: SinkChannel[] = [];
  for (const [index, sink] of options.sinks.entries()) {
    channels.push(await openSinkChannel({
      label: labels[index] ?? sink.name,
      sink,
      spoolDirectory: options.spoolDirectory,
      queueCapacity: options.queueCapacity ?? AUDIT_WRITER_DEFAULTS.queueCapacity,
      queueMaxBytes: options.queueMaxBytes ?? AUDIT_WRITER_DEFAULTS.queueMaxBytes,
      spoolMaxBytes: options.spoolMaxBytes ?? AUDIT_WRITER_DEFAULTS.spoolMaxBytes,
      backoff: options.backoff ?? AUDIT_WRITER_DEFAULTS.backoff,
      metrics,
      log,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    }));
  }
  let closed = false;
  return {
    enqueue(record) {
      if (closed) {
        metrics.dropped.inc({ sink: 'all', reason: 'closed' });
        // reqId: the field name of Fastify's request log lines, so one search finds both.
        log('error', 'AUDIT RECORD LOST: enqueued after close', { reqId: record.http.request.id });
        return;
      }
      let queued;
      try {
        queued = toQueuedRecord(record);
      } catch (error) {
        // A record that cannot be serialized is a bug upstream; it must not fail the request.
        metrics.dropped.inc({ sink: 'all', reason: 'unserializable' });
        log('error', 'AUDIT RECORD LOST: not serializable', { error: error instanceof Error ? error.message : String(error) });
        return;
      }
      for (const channel of channels) channel.enqueue(queued);
    },
    async flush(timeoutMs = AUDIT_WRITER_DEFAULTS.closeTimeoutMs) {
      const results = await Promise.all(channels.map((channel) => channel.flush(timeoutMs)));
      return results.every(Boolean);
    },
    async close(timeoutMs = AUDIT_WRITER_DEFAULTS.closeTimeoutMs) {
      if (closed) return;
      closed = true;
      await Promise.all(channels.map((channel) => channel.close(timeoutMs)));
    },
    status: () => channels.map((channel) => channel.status()),
  };
}

/** `jsonl`, `elasticsearch`, `jsonl-2`: spool files and metric labels must not collide. */
function uniqueLabels(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : `${name}-${count}`;
  });
}

/**
 * Builds the sinks the manifest (or the server settings) names. The Elasticsearch module and its
 * client load only when an elasticsearch sink is configured.
 */
export async function createAuditSinks(configs: readonly AuditSinkConfig[]): Promise<AuditSink[]> {
  const sinks: AuditSink[] = [];
  for (const config of configs) {
    if (config.type === 'jsonl') {
      const { createJsonlSink } = await import('./sinks/jsonl-sink.js');
      sinks.push(await createJsonlSink({
        path: config.path,
        ...(config.maxBytes === undefined ? {} : { maxBytes: config.maxBytes }),
        ...(config.maxFiles === undefined ? {} : { maxFiles: config.maxFiles }),
      }));
    } else {
      const { createElasticsearchSink } = await import('./sinks/elasticsearch-sink.js');
      const apiKey = config.apiKey?.reveal();
      const password = config.password?.reveal();
      sinks.push(await createElasticsearchSink({
        url: config.url,
        index: config.index,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(config.username === undefined ? {} : { username: config.username }),
        ...(password === undefined ? {} : { password }),
      }));
    }
  }
  return sinks;
}
