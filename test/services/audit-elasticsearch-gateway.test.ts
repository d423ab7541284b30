/**
 * The audit trail through `aigw serve` on a real Elasticsearch (issue 6): the sink named in the
 * manifest next to a JSONL one, its index template installed at start, requests answered at full
 * speed while Elasticsearch is unreachable (readiness shows the sink unhealthy, its records held), a shutdown during the outage, and after a restart with Elasticsearch back every record
 * indexed exactly once. The outage is a TCP proxy in front of Elasticsearch, stopped and started.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { requireService } from '../helpers/services.js';
import { eventually, mockProviders, startTestGateway, startTestMock, tempDirectory } from '../e2e/helpers/gateway-harness.js';

/** A TCP proxy to `target` that can be stopped (listener closed, connections cut) and started again on its port. */
async function outageProxy(target: URL): Promise<{ url: string; stop: () => Promise<void>; start: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
    start: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}

interface SinkStatus { readonly sink: string; readonly healthy: boolean; readonly queueDepth: number; readonly spoolBytes: number }

test('serve with an Elasticsearch sink in the manifest: template at start, every request answered through an outage, nothing lost over a restart, no duplicate', async (t) => {
  const esUrl = requireService(t, 'elasticsearch');
  if (esUrl === undefined) return;
  const es = new Client({ node: esUrl, requestTimeout: 30_000 });
  const index = `aigw-audit-gateway-${randomUUID()}`;
  const proxy = await outageProxy(new URL(esUrl));
  t.after(async () => {
    await proxy.stop().catch(() => undefined);
    await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await es.indices.deleteIndexTemplate({ name: index }).catch(() => undefined);
    await es.close();
  });
  const mock = await startTestMock(t);
  const directory = await tempDirectory(t);
  const jsonl = join(directory, 'audit-copy.jsonl');
  const manifest = `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
audit:
  sinks:
    - { type: elasticsearch, url: "${proxy.url}", index: "${index}" }
    - { type: jsonl, path: "${jsonl}" }
`;
  const settings = { auditFile: join(directory, 'audit.jsonl') };
  const env = { OPENAI_API_KEY: 'sk-test' };
  const messages = [{ role: 'user' as const, content: 'Hello' }];

  const first = await startTestGateway(t, manifest, { settings, env });
  // Installed when the gateway started, before any record.
  await eventually(async () => ((await es.indices.existsIndexTemplate({ name: index })) ? true : undefined), 5_000, 'the index template');
  for (let index = 0; index < 20; index += 1) await first.client.chat.completions.create({ model: 'gpt-4o-mini', messages });

  await proxy.stop();
  for (let index = 0; index < 30; index += 1) {
    const answer = await first.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(answer.object, 'chat.completion');
  }
  const readiness = await eventually(async () => {
    const response = await fetch(`${first.url}/readyz`);
    const body = await response.json() as { status: string; audit: SinkStatus[] };
    const sink = body.audit.find((status) => status.sink === 'elasticsearch');
    // The records wait in the batch being retried, or in the spool once more come.
    return response.status === 200 && sink !== undefined && !sink.healthy && sink.queueDepth + sink.spoolBytes > 0 ? body : undefined;
  }, 15_000, 'the Elasticsearch sink unhealthy with its records held, the gateway still ready');
  assert.equal(readiness.status, 'ready');
  // A shutdown while Elasticsearch is down: its records stay in the spool.
  await first.gateway.close();

  await proxy.start();
  const second = await startTestGateway(t, manifest, { settings, env });
  for (let index = 0; index < 10; index += 1) await second.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  await second.gateway.audit.flush(20_000);
  const ids = await eventually(async () => {
    await es.indices.refresh({ index });
    const found = await es.search<{ http: { request: { id: string } } }>({ index, size: 1_000, _source: ['http.request.id'] });
    return found.hits.hits.length >= 60 ? found.hits.hits.map((hit) => hit._source?.http.request.id ?? '') : undefined;
  }, 30_000, 'every record indexed');
  assert.equal(ids.length, 60, 'exactly the 60 requests');
  assert.equal(new Set(ids).size, 60, 'no duplicate');
  const copied = (await readFile(jsonl, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { http: { request: { id: string } } }).http.request.id);
  assert.deepEqual([...copied].sort(), [...ids].sort(), 'the JSONL sink holds the same records');
});
