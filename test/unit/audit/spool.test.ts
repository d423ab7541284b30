import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createRecordQueue, toQueuedRecord } from '../../../runtime/audit/queue.js';
import { openSpool, type Spool } from '../../../runtime/audit/spool.js';
import { sampleRecord } from './audit-test-kit.js';


/** A temporary folder whose spools are closed before it is removed. */
async function workspace(t: TestContext): Promise<{ path: (name: string) => string; open: (path: string, maxBytes: number) => Promise<Spool> }> {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-spool-'));
  const spools: Spool[] = [];
  t.after(async () => {
    for (const spool of spools) await spool.close();
    await rm(directory, { recursive: true, force: true });
  });
  return {
    path: (name) => join(directory, name),
    open: async (path, maxBytes) => { const spool = await openSpool(path, maxBytes); spools.push(spool); return spool; },
  };
}

test('the queue is FIFO and bounded by count and by bytes', () => {
  const queue = createRecordQueue(3, 10_000);
  for (const id of ['a', 'b', 'c']) assert.equal(queue.push(sampleRecord(id)), true);
  assert.equal(queue.push(sampleRecord('d')), false);
  assert.deepEqual(queue.take(2, 1_000_000).map((record) => record.id), ['a', 'b']);
  assert.equal(queue.push(sampleRecord('d')), true);
  assert.deepEqual(queue.take(10, 1_000_000).map((record) => record.id), ['c', 'd']);
  const small = createRecordQueue(100, 300);
  assert.equal(small.push(sampleRecord('big', 200)), true);
  assert.equal(small.push(sampleRecord('big2', 200)), false, 'the byte bound holds');
  assert.equal(small.bytes, sampleRecord('big', 200).bytes);
});

test('take returns at least one record even when it alone is over the byte budget', () => {
  const queue = createRecordQueue(10, 1_000_000);
  queue.push(sampleRecord('a', 500));
  queue.push(sampleRecord('b', 500));
  assert.deepEqual(queue.take(10, 10).map((record) => record.id), ['a']);
});

test('spooled records come back in order, and commit advances past them', async (t) => {
  const space = await workspace(t);
  const spool = await space.open(space.path('s.jsonl'), 1_000_000);
  await spool.append(['1', '2', '3', '4', '5'].map((id) => sampleRecord(id)));
  const first = await spool.read(2, 1_000_000);
  assert.deepEqual(first?.records.map((record) => record.id), ['1', '2']);
  assert.deepEqual((await spool.read(2, 1_000_000))?.records.map((record) => record.id), ['1', '2'], 'reading does not consume');
  await spool.commit(first?.end ?? 0);
  assert.deepEqual((await spool.read(10, 1_000_000))?.records.map((record) => record.id), ['3', '4', '5']);
});

test('a fully delivered spool is emptied on disk', async (t) => {
  const space = await workspace(t);
  const path = space.path('s.jsonl');
  const spool = await space.open(path, 1_000_000);
  await spool.append([sampleRecord('1'), sampleRecord('2')]);
  const batch = await spool.read(10, 1_000_000);
  await spool.commit(batch?.end ?? 0);
  assert.equal(spool.pendingBytes(), 0);
  assert.equal((await stat(path)).size, 0);
  assert.equal(await spool.read(10, 1_000_000), undefined);
});

test('a reopened spool resumes from the committed offset', async (t) => {
  const space = await workspace(t);
  const path = space.path('s.jsonl');
  const spool = await openSpool(path, 1_000_000);
  await spool.append(['1', '2', '3'].map((id) => sampleRecord(id)));
  const batch = await spool.read(1, 1_000_000);
  await spool.commit(batch?.end ?? 0);
  await spool.close();
  const reopened = await space.open(path, 1_000_000);
  assert.deepEqual((await reopened.read(10, 1_000_000))?.records.map((record) => record.id), ['2', '3']);
});

test('what does not fit under maxBytes is handed back, in order', async (t) => {
  const one = sampleRecord('1', 100).bytes + 1;
  const space = await workspace(t);
  const spool = await space.open(space.path('s.jsonl'), one * 2);
  const overflow = await spool.append(['1', '2', '3', '4'].map((id) => sampleRecord(id, 100)));
  assert.deepEqual(overflow.map((record) => record.id), ['3', '4']);
  assert.equal(spool.pendingBytes(), one * 2);
});

test('a torn last line (crash mid-append) is reported as corrupt, the rest is replayed', async (t) => {
  const space = await workspace(t);
  const path = space.path('s.jsonl');
  await appendFile(path, `${sampleRecord('1').line}\n{"http":{"req`);
  const spool = await space.open(path, 1_000_000);
  const batch = await spool.read(10, 1_000_000);
  assert.deepEqual(batch?.records.map((record) => record.id), ['1']);
  assert.deepEqual(batch?.corrupt, ['{"http":{"req']);
  await spool.append([sampleRecord('2')]);
  await spool.commit(batch?.end ?? 0);
  assert.deepEqual((await spool.read(10, 1_000_000))?.records.map((record) => record.id), ['2']);
  assert.match(await readFile(path, 'utf8'), /"id":"2"/);
});

test('a line longer than the read chunk is still read whole', async (t) => {
  const space = await workspace(t);
  const spool = await space.open(space.path('s.jsonl'), 10_000_000);
  await spool.append([sampleRecord('big', 200_000), sampleRecord('small')]);
  const batch = await spool.read(10, 1_000);
  assert.deepEqual(batch?.records.map((record) => record.id), ['big']);
});

test('a record read back from the spool keeps the document id it was queued with (event.id), never its request id', async (t) => {
  const space = await workspace(t);
  const spool = await space.open(space.path('ids.jsonl'), 1_000_000);
  // Two requests that shared one x-request-id: distinct events, so distinct documents.
  const lines = ['evt-1', 'evt-2'].map((eventId) => toQueuedRecord({ event: { id: eventId }, http: { request: { id: 'same-request-id' } } }));
  assert.deepEqual(lines.map((record) => record.id), ['evt-1', 'evt-2']);
  await spool.append(lines);
  const read = await spool.read(10, 1_000_000);
  assert.deepEqual(read?.records.map((record) => record.id), ['evt-1', 'evt-2']);
});
