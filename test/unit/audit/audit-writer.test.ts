import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { createAuditWriter, type AuditWriter, type AuditWriterOptions } from '../../../runtime/audit/audit-writer.js';
import type { QueuedRecord } from '../../../runtime/audit/queue.js';
import { createManualClock } from '../../helpers/virtual-clock.js';
import { createFakeSink, eventually, sampleAuditRecord, temporaryFolder, type FakeSink } from './audit-test-kit.js';

const ids = (count: number, prefix = 'r'): string[] => Array.from({ length: count }, (_, index) => `${prefix}${index}`);

async function writerFor(t: TestContext, sinks: FakeSink[], options: Partial<AuditWriterOptions> = {}): Promise<{ writer: AuditWriter; registry: Registry; logs: string[]; directory: string }> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const registry = new Registry();
  const logs: string[] = [];
  const writer = await createAuditWriter({
    sinks, spoolDirectory: directory, metrics: registry, backoff: { initialMs: 5, maxMs: 20 },
    log: (level, message) => logs.push(`${level}: ${message}`), ...options,
  });
  cleanups.push(() => writer.close(1_000));
  return { writer, registry, logs, directory };
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted)).reduce((sum, value) => sum + value.value, 0);
}

test('records reach every sink in arrival order, batched', async (t) => {
  const first = createFakeSink('jsonl');
  const second = createFakeSink('elasticsearch');
  const { writer, registry } = await writerFor(t, [first, second]);
  for (const id of ids(120)) writer.enqueue(sampleAuditRecord(id));
  assert.equal(await writer.flush(5_000), true);
  assert.deepEqual(first.delivered, ids(120));
  assert.deepEqual(second.delivered, ids(120));
  assert.equal(await metric(registry, 'aigw_audit_delivered_total', { sink: 'jsonl' }), 120);
  assert.ok(first.offered.length === 120, 'each record offered once when the sink is healthy');
});

test('a partial batch is delivered after the interval without a flush', async (t) => {
  const sink = createFakeSink('jsonl', { maxCount: 1_000, maxBytes: 1_000_000, intervalMs: 20 });
  const { writer } = await writerFor(t, [sink]);
  writer.enqueue(sampleAuditRecord('only'));
  await eventually(() => sink.delivered.length === 1, 'interval delivery');
});

test('the batch interval and the retry backoff run on the injected clock, not on real time', async (t) => {
  const clock = createManualClock();
  const sink = createFakeSink('jsonl', { maxCount: 1_000, maxBytes: 1_000_000, intervalMs: 1_000 });
  let failures = 1;
  sink.behaviour = () => (failures-- > 0 ? 'throw' : { retry: [], rejected: [] });
  const { writer } = await writerFor(t, [sink], { clock, backoff: { initialMs: 60_000, maxMs: 60_000 } });
  const realPause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
  writer.enqueue(sampleAuditRecord('a'));
  await realPause();
  await clock.advance(999);
  assert.deepEqual(sink.offered, [], 'a partial batch waits for the interval on the clock');
  await clock.advance(1);
  await eventually(() => sink.offered.length === 1, 'offered once the interval passed on the clock (real time would take 1 s)', 300);
  await realPause();
  assert.deepEqual(sink.delivered, [], 'the failed batch waits for its backoff on the clock');
  await clock.advance(60_000);
  await eventually(() => sink.delivered.length === 1, 'delivered after the backoff');
  assert.deepEqual(sink.offered, ['a', 'a']);
});

test('enqueue is synchronous and returns before any sink I/O', async (t) => {
  const sink = createFakeSink();
  let release: () => void = () => {};
  sink.behaviour = () => new Promise((resolve) => { release = () => resolve({ retry: [], rejected: [] }); });
  const { writer } = await writerFor(t, [sink]);
  const result = writer.enqueue(sampleAuditRecord('a'));
  assert.equal(result, undefined);
  assert.deepEqual(sink.offered, [], 'nothing written in the enqueue call itself');
  await eventually(() => sink.offered.length === 1, 'offered');
  release();
  await writer.flush(2_000);
});

test('a sink that is down gets everything later, in order, exactly once; records spool meanwhile', async (t) => {
  const sink = createFakeSink();
  sink.behaviour = () => 'throw';
  const { writer, registry, logs } = await writerFor(t, [sink]);
  for (const id of ids(300)) writer.enqueue(sampleAuditRecord(id));
  await eventually(() => writer.status()[0]?.spoolBytes !== 0 && writer.status()[0]?.healthy === false, 'spooling while down');
  // The gauge is set once the first spill write has completed.
  for (let tries = 0; tries < 200 && await metric(registry, 'aigw_audit_spool_bytes') === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(await metric(registry, 'aigw_audit_spool_bytes') > 0);
  assert.ok(await metric(registry, 'aigw_audit_retried_total') > 0);
  for (const id of ids(100, 'late')) writer.enqueue(sampleAuditRecord(id));
  sink.behaviour = () => ({ retry: [], rejected: [] });
  assert.equal(await writer.flush(5_000), true);
  assert.deepEqual(sink.delivered, [...ids(300), ...ids(100, 'late')]);
  assert.equal(writer.status()[0]?.spoolBytes, 0);
  assert.equal(writer.status()[0]?.healthy, true);
  assert.ok(logs.some((line) => line.startsWith('warn: audit sink failing')));
  assert.ok(logs.some((line) => line.startsWith('info: audit sink recovered')));
});

test('a partial failure retries only the failed items', async (t) => {
  const sink = createFakeSink();
  let calls = 0;
  sink.behaviour = (batch) => {
    calls += 1;
    const retry = calls === 1 ? batch.filter((id) => id === 'r3' || id === 'r7').map((id) => ({ id }) as QueuedRecord) : [];
    return { retry, rejected: [] };
  };
  const { writer, registry } = await writerFor(t, [sink]);
  for (const id of ids(10)) writer.enqueue(sampleAuditRecord(id));
  assert.equal(await writer.flush(5_000), true);
  assert.deepEqual([...sink.offered].sort(), [...ids(10), 'r3', 'r7'].sort(), 'only r3 and r7 are offered twice');
  assert.deepEqual([...sink.delivered].sort(), ids(10).sort());
  assert.equal(await metric(registry, 'aigw_audit_retried_total'), 2);
});

test('a record rejected for its content goes to the dead-letter file, not into a retry loop', async (t) => {
  const sink = createFakeSink();
  sink.behaviour = (batch) => ({
    retry: [],
    rejected: batch.filter((id) => id === 'bad').map((id) => ({ record: { id, line: JSON.stringify(sampleAuditRecord(id)), bytes: 1 }, status: 400, reason: 'document_parsing_exception: failed to parse field [x]' })),
  });
  const { writer, registry, directory } = await writerFor(t, [sink]);
  for (const id of ['a', 'bad', 'b']) writer.enqueue(sampleAuditRecord(id));
  assert.equal(await writer.flush(5_000), true);
  assert.deepEqual(sink.offered, ['a', 'bad', 'b']);
  assert.equal(await metric(registry, 'aigw_audit_dead_lettered_total'), 1);
  const lines = (await readFile(join(directory, 'fake.dead-letter.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0] ?? '') as { status: number; reason: string; record: { http: { request: { id: string } } } };
  assert.equal(entry.status, 400);
  assert.match(entry.reason, /document_parsing_exception/);
  assert.equal(entry.record.http.request.id, 'bad');
});

test('a full spool is a metric and a loud log line, never a thrown or blocked enqueue', async (t) => {
  const sink = createFakeSink();
  sink.behaviour = () => 'throw';
  const { writer, registry, logs } = await writerFor(t, [sink], { spoolMaxBytes: 2_000, queueCapacity: 20 });
  for (const [index, id] of ids(200).entries()) {
    assert.doesNotThrow(() => writer.enqueue(sampleAuditRecord(id, 50)));
    if (index % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await eventually(() => logs.some((line) => line.startsWith('error: AUDIT RECORDS LOST')), 'loud log line');
  assert.ok(await metric(registry, 'aigw_audit_dropped_total', { reason: 'spool_full' }) > 0);
});

test('a slow sink makes the queue spill to disk instead of dropping', async (t) => {
  const sink = createFakeSink('slow', { maxCount: 10, maxBytes: 1_000_000, intervalMs: 1 });
  sink.behaviour = () => new Promise((resolve) => setTimeout(() => resolve({ retry: [], rejected: [] }), 30));
  // Room for 10 ms of traffic past the spill mark, so a loaded machine's slower spool writes do not drop.
  const { writer, registry } = await writerFor(t, [sink], { queueCapacity: 200 });
  // Traffic arrives over event-loop turns (as requests do), 10 records per millisecond.
  for (const [index, id] of ids(400).entries()) {
    writer.enqueue(sampleAuditRecord(id));
    if (index % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.equal(await metric(registry, 'aigw_audit_dropped_total'), 0);
  assert.ok(sink.delivered.length < 400, 'the sink is slower than the traffic, so the spool took the excess');
  assert.equal(await writer.flush(20_000), true);
  assert.deepEqual(sink.delivered, ids(400));
});

test('close with the sink down spools everything; the next writer on that folder delivers it', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const down = createFakeSink();
  down.behaviour = () => 'throw';
  const first = await createAuditWriter({ sinks: [down], spoolDirectory: directory, backoff: { initialMs: 5, maxMs: 20 } });
  for (const id of ids(50)) first.enqueue(sampleAuditRecord(id));
  await first.close(100);
  assert.equal(down.closed, true);
  assert.deepEqual(down.delivered, []);
  first.enqueue(sampleAuditRecord('after-close'));

  const up = createFakeSink();
  const second = await createAuditWriter({ sinks: [up], spoolDirectory: directory });
  cleanups.push(() => second.close(1_000));
  assert.equal(await second.flush(5_000), true);
  assert.deepEqual(up.delivered, ids(50));
});

test('two sinks of one type get separate spools and metric labels', async (t) => {
  const { writer, registry } = await writerFor(t, [createFakeSink('jsonl'), createFakeSink('jsonl')]);
  assert.deepEqual(writer.status().map((status) => status.sink), ['jsonl', 'jsonl-2']);
  writer.enqueue(sampleAuditRecord('a'));
  await writer.flush(2_000);
  assert.equal(await metric(registry, 'aigw_audit_delivered_total', { sink: 'jsonl-2' }), 1);
});

test('close with a write hanging returns within its deadline and spools the batch in flight', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const hanging = createFakeSink();
  hanging.behaviour = () => new Promise(() => {});
  const first = await createAuditWriter({ sinks: [hanging], spoolDirectory: directory });
  for (const id of ids(30)) first.enqueue(sampleAuditRecord(id));
  await eventually(() => hanging.offered.length > 0, 'a write in flight');
  const closing = first.close(200);
  const outcome = await Promise.race([closing.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 3_000))]);
  assert.equal(outcome, 'closed');

  const up = createFakeSink();
  const second = await createAuditWriter({ sinks: [up], spoolDirectory: directory });
  cleanups.push(() => second.close(1_000));
  assert.equal(await second.flush(5_000), true);
  assert.deepEqual(up.delivered, ids(30));
});

test('the loud "records lost" line, at most one per 10 s, counts every record lost since the previous one', async (t) => {
  const { createManualClock } = await import('../../helpers/virtual-clock.js');
  const clock = createManualClock();
  const lines: { message: string; count: unknown }[] = [];
  const { writer } = await writerFor(t, [createFakeSink()], {
    clock, queueMaxBytes: 100,
    log: (level, message, fields) => { if (level === 'error') lines.push({ message, count: fields['count'] }); },
  });
  // Each record is over the queue's byte bound: every enqueue is a loss.
  for (const id of ['a', 'b', 'c']) writer.enqueue(sampleAuditRecord(id, 500));
  assert.deepEqual(lines, [{ message: 'AUDIT RECORDS LOST: queue full', count: 1 }]);
  await clock.advance(11_000);
  writer.enqueue(sampleAuditRecord('d', 500));
  assert.deepEqual(lines.map((line) => line.count), [1, 3], 'b and c (suppressed) and d');
});

test('a record enqueued after close is logged with reqId, the field of the request log lines', async (t) => {
  const directory = await temporaryFolder(t);
  const lines: Record<string, unknown>[] = [];
  const writer = await createAuditWriter({ sinks: [], spoolDirectory: directory, log: (_level, message, fields) => { lines.push({ message, ...fields }); } });
  await writer.close();
  writer.enqueue({ http: { request: { id: 'req_late' } } } as never);
  assert.deepEqual(lines.find((line) => String(line['message']).includes('enqueued after close')), { message: 'AUDIT RECORD LOST: enqueued after close', reqId: 'req_late' });
});

test('a disk that refuses the spool\'s offset file (a full disk) fails no delivery: the worker keeps delivering, exactly once, says why, and closes cleanly', async (t) => {
  const sink = createFakeSink();
  sink.behaviour = () => 'throw';
  const { writer, logs, directory } = await writerFor(t, [sink]);
  for (const id of ids(300)) writer.enqueue(sampleAuditRecord(id));
  await eventually(() => (writer.status()[0]?.spoolBytes ?? 0) > 0, 'records spooled while the sink is down');
  // From now on the offset cannot be written: its temporary file's name is taken by a directory.
  await mkdir(join(directory, 'fake.spool.jsonl.offset.tmp'));
  sink.behaviour = () => ({ retry: [], rejected: [] });
  assert.equal(await writer.flush(5_000), true, 'the spooled records are delivered');
  for (const id of ids(20, 'after')) writer.enqueue(sampleAuditRecord(id));
  assert.equal(await writer.flush(5_000), true, 'and so are later ones: the worker is still running');
  assert.deepEqual(sink.delivered, [...ids(300), ...ids(20, 'after')]);
  assert.ok(logs.some((line) => /^error: audit spool: could not record the delivered offset/.test(line)), logs.join('\n'));
  assert.ok(!logs.some((line) => /worker stopped/.test(line)));
  await assert.doesNotReject(writer.close(1_000));
});
