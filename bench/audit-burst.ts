/**
 * How fast the audit pipeline (JSONL sink, its memory queue and its disk spool) absorbs large
 * full-capture records without dropping any: records of `--mb` MiB enqueued every `--gap` ms
 * (one per event-loop turn at most), then flushed. Prints records dropped, MB/s offered and the
 * time the flush took. Run: `node --import tsx bench/audit-burst.ts [--mb 1] [--gap 1] [--count 300]`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { createAuditMetrics } from '../runtime/audit/audit-metrics.js';
import { openSinkChannel } from '../runtime/audit/sink-channel.js';
import { createJsonlSink } from '../runtime/audit/sinks/jsonl-sink.js';
import { AUDIT_WRITER_DEFAULTS } from '../runtime/audit/audit-writer.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '1' }, gap: { type: 'string', default: '1' }, count: { type: 'string', default: '300' } } });
const megabytes = Number(values.mb);
const gapMs = Number(values.gap);
const count = Number(values.count);
const folder = mkdtempSync(join(tmpdir(), 'aigw-burst-'));
const registry = new Registry();
const metrics = createAuditMetrics(registry);
const channel = await openSinkChannel({
  label: 'jsonl', sink: await createJsonlSink({ path: join(folder, 'audit.jsonl'), maxBytes: 4 * 1024 ** 3 }), spoolDirectory: join(folder, 'spool'),
  queueCapacity: AUDIT_WRITER_DEFAULTS.queueCapacity, queueMaxBytes: AUDIT_WRITER_DEFAULTS.queueMaxBytes, spoolMaxBytes: AUDIT_WRITER_DEFAULTS.spoolMaxBytes,
  backoff: AUDIT_WRITER_DEFAULTS.backoff, metrics, log: () => undefined,
});
const padding = 'x'.repeat(Math.round(megabytes * 1024 * 1024));
const started = performance.now();
for (let index = 0; index < count; index += 1) {
  const line = `{"event":{"id":"r${index}"},"http":{"request":{"id":"req${index}"}},"prompt":"${padding}"}`;
  channel.enqueue({ id: `r${index}`, line, bytes: line.length });
  await new Promise((resolve) => setTimeout(resolve, gapMs));
}
const offeredMs = performance.now() - started;
await channel.close(60_000);
const dropped = (await registry.getSingleMetric('aigw_audit_dropped_total')?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
const written = readFileSync(join(folder, 'audit.jsonl')).reduce((lines, byte) => lines + (byte === 0x0a ? 1 : 0), 0);
const reasons = (await registry.getSingleMetric('aigw_audit_dropped_total')?.get())?.values.map((value) => `${String(value.labels['reason'])}=${value.value}`).join(' ') ?? '';
console.log(reasons);
console.log(`${count} records of ${megabytes} MiB every ${gapMs} ms: offered ${((count * megabytes) / (offeredMs / 1000)).toFixed(0)} MiB/s, dropped ${dropped}, in the file ${written}, drained ${((performance.now() - started - offeredMs) / 1000).toFixed(1)} s after the last`);
if (process.env.KEEP === undefined) rmSync(folder, { recursive: true, force: true }); else console.log(folder);
