import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createJsonlSink } from '../../../runtime/audit/sinks/jsonl-sink.js';
import { jsonLines } from '../../../runtime/audit/queue.js';
import { sampleRecord, temporaryFolder } from './audit-test-kit.js';

test('batches append one JSON record per line', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const sink = await createJsonlSink({ path: join(directory, 'audit.jsonl') });
  cleanups.push(() => sink.close());
  assert.deepEqual(await sink.write([sampleRecord('a'), sampleRecord('b')]), { retry: [], rejected: [] });
  await sink.write([sampleRecord('c')]);
  const lines = (await readFile(join(directory, 'audit.jsonl'), 'utf8')).split('\n');
  assert.deepEqual(lines.slice(0, -1).map((line) => (JSON.parse(line) as { http: { request: { id: string } } }).http.request.id), ['a', 'b', 'c']);
  assert.equal(lines.at(-1), '');
});

test('the file rotates by size and keeps maxFiles rotated files, newest first', async (t) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const path = join(directory, 'audit.jsonl');
  const lineBytes = sampleRecord('r0', 100).bytes + 1;
  const sink = await createJsonlSink({ path, maxBytes: lineBytes * 2, maxFiles: 2 });
  cleanups.push(() => sink.close());
  for (let index = 0; index < 7; index += 1) await sink.write([sampleRecord(`r${index}`, 100)]);
  assert.deepEqual((await readdir(directory)).sort(), ['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
  const idsIn = async (file: string) => (await readFile(join(directory, file), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { http: { request: { id: string } } }).http.request.id);
  assert.deepEqual(await idsIn('audit.jsonl'), ['r6']);
  assert.deepEqual(await idsIn('audit.jsonl.1'), ['r4', 'r5']);
  assert.deepEqual(await idsIn('audit.jsonl.2'), ['r2', 'r3']);
});

test('a batch is encoded as the lines joined by newlines, multi-byte text included', () => {
  const records = [sampleRecord('ascii'), sampleRecord('ünïcode 😀'), sampleRecord('long', 5_000)];
  const expected = Buffer.from(records.map((record) => `${record.line}\n`).join(''));
  assert.deepEqual(jsonLines(records), expected);
  assert.equal(jsonLines([]).length, 0);
});

test('a record whose byte count does not match its line is still written whole', () => {
  const good = sampleRecord('good');
  const wrong = { ...sampleRecord('wröng'), bytes: 3 };
  const batch = jsonLines([good, wrong]).toString('utf8');
  assert.equal(batch, `${good.line}\n${wrong.line}\n`);
});

test('an audit file deleted or moved away while the gateway runs is created again at its path for the next batch', async (t) => {
  const { rename, rm } = await import('node:fs/promises');
  const cleanups: (() => Promise<unknown>)[] = [];
  const directory = await temporaryFolder(t, cleanups);
  const path = join(directory, 'audit.jsonl');
  const sink = await createJsonlSink({ path });
  cleanups.push(() => sink.close());
  const ids = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { http: { request: { id: string } } }).http.request.id);
  await sink.write([sampleRecord('a')]);
  await rm(path);
  await sink.write([sampleRecord('b')]);
  assert.deepEqual(await ids(path), ['b'], 'written where readers look, not into the unlinked file');
  await rename(path, join(directory, 'moved.jsonl'));
  await sink.write([sampleRecord('c')]);
  assert.deepEqual(await ids(path), ['c']);
  assert.deepEqual(await ids(join(directory, 'moved.jsonl')), ['b']);
});
