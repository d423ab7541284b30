/**
 * One sink's delivery pipeline: memory queue → batches → sink, with a disk spool whenever the sink
 * is down or slower than the traffic. Delivery order is: the batch in flight (or awaiting retry),
 * then the spool from its committed offset, then the memory queue — records only ever move from the
 * queue's head to the spool's tail, so this is arrival order (one exception: at close, a queue batch
 * still failing is spooled behind what was spooled before it).
 * enqueue() is synchronous and O(1); every I/O happens in the worker or the spiller.
 */
import { join } from 'node:path';
import { realClock, type Clock } from '../clock.js';
import { startTimer } from '../timers.js';
import { openAppendFile, type AppendFile } from './append-file.js';
import type { AuditMetrics } from './audit-metrics.js';
import { createRecordQueue, type QueuedRecord } from './queue.js';
import type { AuditSink, RejectedRecord, SinkWriteResult } from './sinks/sink.js';
import { openSpool, type Spool } from './spool.js';

export type AuditLog = (level: 'info' | 'warn' | 'error', message: string, fields: Readonly<Record<string, unknown>>) => void;

export interface ChannelOptions {
  /** Label for metrics, logs and file names (unique per writer). */
  readonly label: string;
  readonly sink: AuditSink;
  readonly spoolDirectory: string;
  readonly queueCapacity: number;
  readonly queueMaxBytes: number;
  readonly spoolMaxBytes: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly metrics: AuditMetrics;
  readonly log: AuditLog;
  /** Batch intervals, backoff, flush deadlines and dead-letter timestamps (default: the real clock). */
  readonly clock?: Clock;
}

export interface SinkStatus {
  readonly sink: string;
  /** False while deliveries fail (records are spooled meanwhile). */
  readonly healthy: boolean;
  readonly queueDepth: number;
  readonly spoolBytes: number;
}

export interface SinkChannel {
  enqueue(record: QueuedRecord): void;
  /** Delivers everything queued and spooled; false when `timeoutMs` passed first. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes within `timeoutMs`, then spools what is left and closes the sink. */
  close(timeoutMs: number): Promise<void>;
  status(): SinkStatus;
}

interface Batch {
  records: readonly QueuedRecord[];
  readonly source: 'queue' | 'spool';
  /** Spool offset to commit once delivered. */
  readonly end?: number;
}

const LOUD_LOG_INTERVAL_MS = 10_000;
/** Re-check of a spool whose last append is still being written. */
const SPOOL_POLL_MS = 50;
/**
 * One spill moves up to this much from the queue to the spool in one write, not a sink batch: a
 * sink's batch can be one record (1 MiB JSONL batches, 1 MiB full-capture records), and a write per
 * record fell behind a burst (bench/audit-burst.ts: 2 MiB records at ~1 GB/s lost 170-190 of 400 to
 * queue_full with sink-sized spills, 35-77 with these).
 */
const SPILL_MAX_COUNT = 5_000;
const SPILL_MAX_BYTES = 16 * 1024 * 1024;

export async function openSinkChannel(options: ChannelOptions): Promise<SinkChannel> {
  const { sink, metrics, log, label } = options;
  const clock = options.clock ?? realClock;
  /** Resolves after `ms` on the clock; `onStart` receives the function that ends the wait early. */
  const pause = (ms: number, onStart?: (end: () => void) => void): Promise<void> => new Promise<void>((resolve) => {
    const cancel = startTimer(clock, ms, resolve);
    onStart?.(() => { cancel(); resolve(); });
  });
  const batchCount = sink.batch?.maxCount ?? 500;
  const batchBytes = sink.batch?.maxBytes ?? 5 * 1024 * 1024;
  const intervalMs = sink.batch?.intervalMs ?? 1_000;
  const queue = createRecordQueue(options.queueCapacity, options.queueMaxBytes);
  const spool: Spool = await openSpool(join(options.spoolDirectory, `${label}.spool.jsonl`), options.spoolMaxBytes);
  const deadLetters: AppendFile = await openAppendFile(join(options.spoolDirectory, `${label}.dead-letter.jsonl`));
  // Spill to disk before memory is full, so a slow sink costs disk, not records.
  const spillAtCount = Math.max(1, Math.floor(options.queueCapacity / 2));
  const spillAtBytes = Math.floor(options.queueMaxBytes / 2);

  let current: Batch | undefined;
  let healthy = true;
  let backoffMs = options.backoff.initialMs;
  let oldestQueuedAt: number | undefined;
  let urgent = 0;
  let closed = false;
  /** Set once close() has taken over the in-memory records: a late write result is ignored. */
  let detached = false;
  let wake: (() => void) | undefined;
  let stopBackoff: (() => void) | undefined;
  let spilling: Promise<void> | undefined;
  let lastLoudAt = Number.NEGATIVE_INFINITY;
  let suppressedLoud = 0;

  // Records in memory and not delivered: the queue, plus a queue batch being written or awaiting its
  // retry (a down sink holds up to one batch there; without it that backlog would show nowhere).
  const inMemory = (): number => queue.size + (current?.source === 'queue' ? current.records.length : 0);
  const unwatchDepth = metrics.watchQueueDepth(label, inMemory);
  const gauges = (): void => {
    metrics.spoolBytes.set({ sink: label }, spool.pendingBytes());
  };
  const signal = (): void => { const resolve = wake; wake = undefined; resolve?.(); };
  // Set up the destination now, without holding the start; a sink unreachable at start is unhealthy
  // (readiness says so before any record) until a write goes through.
  let delivered = false;
  sink.prepare?.().catch((error: unknown) => {
    if (delivered || closed) return;
    if (healthy) log('warn', 'audit sink not reachable at start; records will be spooled to disk until it is back', { sink: label, error: errorMessage(error) });
    healthy = false;
  });

  /** Logs at most once per LOUD_LOG_INTERVAL_MS; true when this call logged. */
  function loud(message: string, fields: Record<string, unknown>): boolean {
    const now = clock.monotonic();
    if (now - lastLoudAt < LOUD_LOG_INTERVAL_MS) { suppressedLoud += 1; return false; }
    lastLoudAt = now;
    log('error', message, { sink: label, ...fields, suppressedSinceLast: suppressedLoud });
    suppressedLoud = 0;
    return true;
  }

  /** Records lost since the last loud line: with one line per 10 s, each line counts all of them. */
  let lostUnlogged = 0;
  /** `error`: the disk's own words when a write failed (ENOSPC, EIO), so the line says why. */
  function drop(count: number, reason: 'queue_full' | 'spool_full' | 'spool_error' | 'dead_letter_full', error?: unknown): void {
    metrics.dropped.inc({ sink: label, reason }, count);
    lostUnlogged += count;
    const cause = error === undefined ? {} : { error: errorMessage(error) };
    if (loud(`AUDIT RECORDS LOST: ${reason.replace('_', ' ')}`, { reason, count: lostUnlogged, spool: spool.path, ...cause })) lostUnlogged = 0;
  }

  function scheduleSpill(): void {
    spilling ??= spill().finally(() => { spilling = undefined; });
  }

  async function spill(): Promise<void> {
    while (queue.size > 0 && (!healthy || closed || queue.size >= spillAtCount || queue.bytes >= spillAtBytes)) {
      const records = queue.take(SPILL_MAX_COUNT, SPILL_MAX_BYTES);
      if (queue.size === 0) oldestQueuedAt = undefined;
      try {
        const overflow = await spool.append(records);
        if (overflow.length > 0) drop(overflow.length, 'spool_full');
      } catch (error) {
        drop(records.length, 'spool_error', error);
      }
      gauges();
      signal();
    }
  }

  async function nextBatch(): Promise<Batch | undefined> {
    if (spool.pendingBytes() > 0) {
      const read = await spool.read(batchCount, batchBytes);
      // Undefined: the spooled bytes are still being written; the spiller signals when done.
      if (read === undefined) return undefined;
      if (read.corrupt.length > 0) await writeDeadLetters(read.corrupt.map((line) => ({ line, reason: 'spool: unreadable line', raw: true })));
      if (read.records.length === 0) {
        await commitDelivered(read.end);
        return nextBatch();
      }
      return { records: read.records, source: 'spool', end: read.end };
    }
    if (queue.size === 0) return undefined;
    const due = urgent > 0 || closed || queue.size >= batchCount || queue.bytes >= batchBytes
      || (oldestQueuedAt !== undefined && clock.monotonic() - oldestQueuedAt >= intervalMs);
    if (!due) return undefined;
    const records = queue.take(batchCount, batchBytes);
    oldestQueuedAt = queue.size === 0 ? undefined : clock.monotonic();
    gauges();
    return { records, source: 'queue' };
  }

  async function waitForWork(): Promise<void> {
    let delay = oldestQueuedAt === undefined ? undefined : Math.max(1, intervalMs - (clock.monotonic() - oldestQueuedAt));
    if (spool.pendingBytes() > 0) delay = Math.min(delay ?? SPOOL_POLL_MS, SPOOL_POLL_MS);
    if (delay !== undefined) {
      await pause(delay, (end) => { wake = end; });
      return;
    }
    // Nothing due: only an enqueue (or flush, or close) wakes the worker.
    await new Promise<void>((resolve) => { wake = resolve; });
  }

  async function deliver(batch: Batch): Promise<void> {
    let result: SinkWriteResult;
    let failure: unknown;
    try {
      result = await sink.write(batch.records);
    } catch (error) {
      failure = error;
      result = { retry: batch.records, rejected: [] };
    }
    // A write that outlived close(): its records were spooled again; the files are closed.
    if (detached) return;
    if (result.rejected.length > 0) await writeDeadLetters(result.rejected.map(rejectedLine));
    metrics.delivered.inc({ sink: label }, batch.records.length - result.retry.length - result.rejected.length);
    if (result.retry.length === 0) {
      if (batch.source === 'spool' && batch.end !== undefined) await commitDelivered(batch.end);
      current = undefined;
      delivered = true;
      if (!healthy) log('info', 'audit sink recovered', { sink: label });
      healthy = true;
      backoffMs = options.backoff.initialMs;
      gauges();
      return;
    }
    metrics.retried.inc({ sink: label }, result.retry.length);
    batch.records = result.retry;
    if (healthy) log('warn', 'audit sink failing; spooling records to disk until it is back', { sink: label, error: errorMessage(failure ?? `${result.retry.length} items to retry`) });
    healthy = false;
    scheduleSpill();
    await backoff(backoffMs);
    backoffMs = Math.min(backoffMs * 2, options.backoff.maxMs);
  }

  /**
   * The batch is delivered: the spool moves past it in memory whatever happens on disk. A failure to
   * record the offset there (a full disk) is logged; the worst it costs is a re-delivery after a restart.
   */
  async function commitDelivered(end: number): Promise<void> {
    try {
      await spool.commit(end);
    } catch (error) {
      loud('audit spool: could not record the delivered offset on disk (after a restart, some records may be delivered again)', { error: errorMessage(error), spool: spool.path });
    }
  }

  /** Backoff between retries of a failing sink; only close() cuts it short. */
  async function backoff(ms: number): Promise<void> {
    if (closed) return;
    await pause(ms, (end) => { stopBackoff = end; });
    stopBackoff = undefined;
  }

  /** `raw` lines are not valid JSON (torn spool writes): embedded as a string, not as a record. */
  async function writeDeadLetters(entries: readonly { line: string; reason: string; status?: number; raw?: boolean }[]): Promise<void> {
    let text = '';
    for (const entry of entries) {
      const record = entry.raw === true ? JSON.stringify(entry.line) : entry.line;
      text += `{"@timestamp":${JSON.stringify(new Date(clock.now()).toISOString())},"sink":${JSON.stringify(label)},"status":${entry.status ?? null},"reason":${JSON.stringify(entry.reason)},"record":${record}}\n`;
    }
    if (deadLetters.size + Buffer.byteLength(text) > options.spoolMaxBytes) {
      drop(entries.length, 'dead_letter_full');
      return;
    }
    await deadLetters.append(text);
    metrics.deadLettered.inc({ sink: label }, entries.length);
    log('error', 'audit records rejected by the sink for their content; written to the dead-letter file', { sink: label, count: entries.length, file: deadLetters.path, reason: entries[0]?.reason });
  }

  async function flush(timeoutMs: number): Promise<boolean> {
    urgent += 1;
    signal();
    const deadline = clock.monotonic() + timeoutMs;
    try {
      while (current !== undefined || queue.size > 0 || spool.pendingBytes() > 0) {
        if (clock.monotonic() >= deadline) return false;
        await pause(10);
      }
      return true;
    } finally {
      urgent -= 1;
    }
  }

  // close() sets `closed`: the worker finishes the step it is in and stops; close() spools the rest.
  const worker = (async () => {
    while (!closed) {
      try {
        current ??= await nextBatch();
        if (closed) break;
        if (current === undefined) {
          await waitForWork();
          continue;
        }
        await deliver(current);
      } catch (error) {
        // A disk error (a full disk under the spool or the dead-letter file, EIO) fails this step, not
        // the worker: it tries again after a backoff, for as long as the process runs.
        loud('audit delivery step failed; retrying', { error: errorMessage(error) });
        await backoff(backoffMs);
        backoffMs = Math.min(backoffMs * 2, options.backoff.maxMs);
      }
    }
  })();

  gauges();
  return {
    enqueue(record) {
      if (!queue.push(record)) {
        drop(1, 'queue_full');
        return;
      }
      if (oldestQueuedAt === undefined) oldestQueuedAt = clock.monotonic();
      if (!healthy || queue.size >= spillAtCount || queue.bytes >= spillAtBytes) scheduleSpill();
      if (queue.size === 1 || queue.size >= batchCount) signal();
    },

    flush,

    async close(timeoutMs) {
      await flush(timeoutMs);
      closed = true;
      signal();
      stopBackoff?.();
      // Let an in-flight write finish (bounded), so a delivered batch is not spooled again.
      let endBound: (() => void) | undefined;
      await Promise.race([worker, pause(Math.max(10, timeoutMs), (end) => { endBound = end; })]);
      // The bound must not outlive the race: a pending timer would hold the process open at exit.
      endBound?.();
      detached = true;
      // Whatever is still in memory goes to disk, to be delivered by the next start.
      if (current !== undefined && current.source === 'queue') {
        const pending = current.records;
        current = undefined;
        try {
          const overflow = await spool.append(pending);
          if (overflow.length > 0) drop(overflow.length, 'spool_full');
        } catch (error) {
          drop(pending.length, 'spool_error', error);
        }
      }
      await spilling;
      scheduleSpill();
      await spilling;
      gauges();
      unwatchDepth();
      // A full disk must not turn a shutdown into a crash: what could not be written is logged.
      await spool.close().catch((error: unknown) => log('error', 'audit spool did not close cleanly (its delivered offset may not be saved)', { sink: label, error: errorMessage(error) }));
      await deadLetters.close().catch((error: unknown) => log('error', 'audit dead-letter file did not close cleanly', { sink: label, error: errorMessage(error) }));
      await sink.close().catch((error: unknown) => log('warn', 'audit sink did not close cleanly', { sink: label, error: errorMessage(error) }));
    },

    status: () => ({ sink: label, healthy, queueDepth: inMemory(), spoolBytes: spool.pendingBytes() }),
  };
}

function rejectedLine(rejected: RejectedRecord): { line: string; reason: string; status?: number } {
  return rejected.status === undefined ? { line: rejected.record.line, reason: rejected.reason } : { line: rejected.record.line, reason: rejected.reason, status: rejected.status };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
