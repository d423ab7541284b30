/**
 * Issue 6 item 7: the queue-depth metric. The writer tests pin spool bytes, delivered, retried,
 * dead-lettered and dropped; this pins `aigw_audit_queue_depth`: it counts the records waiting in
 * memory, the batch being written included (read whenever the metrics are collected), and returns to
 * 0 once everything is delivered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createAuditWriter } from '../../../runtime/audit/audit-writer.js';
import { createFakeSink, eventually, sampleAuditRecord, temporaryFolder } from './audit-test-kit.js';

async function gauge(registry: Registry, sink: string): Promise<number | undefined> {
  const values = (await registry.getSingleMetric('aigw_audit_queue_depth')?.get())?.values ?? [];
  return values.find((value) => value.labels['sink'] === sink)?.value;
}

test('aigw_audit_queue_depth counts the records waiting in memory, per sink, and returns to 0 when delivered', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const sink = createFakeSink('jsonl', { maxCount: 10, maxBytes: 1_000_000, intervalMs: 1 });
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  sink.behaviour = async () => { await gate; return { retry: [], rejected: [] }; };
  const registry = new Registry();
  // A large capacity so nothing spills to disk: the records stay in the memory queue.
  const writer = await createAuditWriter({ sinks: [sink], spoolDirectory: directory, metrics: registry, queueCapacity: 1_000, backoff: { initialMs: 5, maxMs: 20 } });
  cleanups.push(() => writer.close(1_000));
  assert.equal(await gauge(registry, 'jsonl'), 0, 'registered at 0 before any record');

  for (let index = 0; index < 35; index += 1) writer.enqueue(sampleAuditRecord(`q${index}`));
  assert.equal(await gauge(registry, 'jsonl'), 35, 'counted as soon as they are enqueued');

  // The worker takes one batch of 10 and blocks on the sink: those 10 are still in memory and not
  // delivered (a down sink holds its batch for retries), so all 35 are counted.
  await eventually(() => sink.offered.length === 10, 'the first batch in flight');
  assert.equal(await gauge(registry, 'jsonl'), 35, 'the batch being written counts until it is delivered');
  assert.equal(writer.status()[0]?.queueDepth, 35, 'status() and the gauge agree');

  release();
  assert.equal(await writer.flush(5_000), true);
  assert.equal(sink.delivered.length, 35);
  assert.equal(await gauge(registry, 'jsonl'), 0);
});
