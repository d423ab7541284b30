/**
 * The Elasticsearch sink against a fake `_bulk` endpoint that answers per item as Elasticsearch does:
 * only the items worth retrying (429, 5xx) come back for a retry, in the batch's order; a content
 * rejection (400) goes to the dead letters; the index template is installed when the writer opens,
 * not at the first write. (The real Elasticsearch runs in test/services/audit-elasticsearch.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { createAuditWriter } from '../../../runtime/audit/audit-writer.js';
import type { QueuedRecord } from '../../../runtime/audit/queue.js';
import { createElasticsearchSink } from '../../../runtime/audit/sinks/elasticsearch-sink.js';

interface Seen { readonly method: string; readonly path: string; readonly body: string }

/** A fake Elasticsearch: `_bulk` items get the statuses `statuses` names by `_id` (201 otherwise). */
async function fakeElasticsearch(t: TestContext, statuses: Readonly<Record<string, number>> = {}, port = 0): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (part: Buffer) => { body += part.toString('utf8'); });
    request.on('end', () => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      seen.push({ method: request.method ?? '', path, body });
      response.setHeader('x-elastic-product', 'Elasticsearch');
      response.setHeader('content-type', 'application/json');
      if (path.startsWith('/_index_template/')) return void response.end('{"acknowledged":true}');
      if (path === '/_bulk') {
        const lines = body.split('\n').filter((line) => line !== '');
        const items = lines.filter((_, index) => index % 2 === 0).map((line) => {
          const id = (JSON.parse(line) as { index: { _id: string } }).index._id;
          const status = statuses[id] ?? 201;
          return { index: { _index: 'x', _id: id, status, ...(status >= 300 ? { error: { type: status === 400 ? 'document_parsing_exception' : 'es_rejected_execution_exception', reason: 'no' } } : {}) } };
        });
        return void response.end(JSON.stringify({ took: 1, errors: items.some((item) => item.index.status >= 300), items }));
      }
      response.statusCode = 404;
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = (): Promise<void> => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  t.after(() => (server.listening ? close() : undefined));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close };
}

const record = (id: string): QueuedRecord => {
  const line = JSON.stringify({ event: { id }, http: { request: { id } } });
  return { id, line, bytes: Buffer.byteLength(line) };
};

test('a partial bulk failure: only the 429 and 503 items are retried, in the batch\'s order; the 400 is rejected for its content', async (t) => {
  const { url } = await fakeElasticsearch(t, { e1: 429, e2: 503, e4: 400 });
  const sink = await createElasticsearchSink({ url, index: 'audit-test' });
  t.after(() => sink.close());
  const result = await sink.write(['e0', 'e1', 'e2', 'e3', 'e4', 'e5'].map(record));
  assert.deepEqual(result.retry.map((item) => item.id), ['e1', 'e2']);
  assert.deepEqual(result.rejected.map((item) => [item.record.id, item.status]), [['e4', 400]]);
  assert.match(result.rejected[0]?.reason ?? '', /^document_parsing_exception/);
});

test('the index template is installed when the writer opens the sink (prepare), once, before any record', async (t) => {
  const { url, seen } = await fakeElasticsearch(t);
  const sink = await createElasticsearchSink({ url, index: 'audit-test' });
  t.after(() => sink.close());
  await sink.prepare?.();
  assert.deepEqual(seen.map((request) => `${request.method} ${request.path}`), ['PUT /_index_template/audit-test']);
  await sink.write([record('a')]);
  assert.deepEqual(seen.map((request) => `${request.method} ${request.path}`), ['PUT /_index_template/audit-test', 'POST /_bulk']);
});

test('an Elasticsearch down at start: prepare fails, and once it is back the first write installs the template before its records', async (t) => {
  const first = await fakeElasticsearch(t);
  await first.close();
  const sink = await createElasticsearchSink({ url: first.url, index: 'audit-test', requestTimeoutMs: 1_000 });
  t.after(() => sink.close());
  await assert.rejects(sink.prepare?.() ?? Promise.resolve());
  await assert.rejects(sink.write([record('a')]));
  const back = await fakeElasticsearch(t, {}, Number(new URL(first.url).port));
  const result = await sink.write([record('b')]);
  assert.deepEqual(result.retry, []);
  assert.deepEqual(back.seen.map((request) => `${request.method} ${request.path}`), ['PUT /_index_template/audit-test', 'POST /_bulk']);
});

test('a writer whose Elasticsearch is down at start reports the sink unhealthy (readiness) before any record, then healthy once a write goes through', async (t) => {
  const es = await fakeElasticsearch(t);
  await es.close();
  const directory = await mkdtemp(join(tmpdir(), 'aigw-es-sink-'));
  const sink = await createElasticsearchSink({ url: es.url, index: 'audit-test', requestTimeoutMs: 1_000, batch: { intervalMs: 10 } });
  const logs: string[] = [];
  const writer = await createAuditWriter({ sinks: [sink], spoolDirectory: directory, metrics: new Registry(), backoff: { initialMs: 50, maxMs: 100 }, log: (_level, message) => logs.push(message) });
  t.after(async () => {
    await writer.close(1_000);
    await rm(directory, { recursive: true, force: true });
  });
  const until = async (healthy: boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (writer.status()[0]?.healthy !== healthy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(writer.status()[0]?.healthy, healthy);
  };
  await until(false);
  assert.ok(logs.some((message) => /not reachable at start/.test(message)), logs.join('\n'));
  await fakeElasticsearch(t, {}, Number(new URL(es.url).port));
  writer.enqueue({ '@timestamp': '2026-01-01T00:00:00.000Z', event: { id: 'r1' }, http: { request: { id: 'r1' } } } as never);
  await until(true);
});
