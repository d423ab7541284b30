/**
 * The audit trail on a real Elasticsearch (scripts/services.sh): mappings from the shipped template,
 * searches by route and provider, redaction on the indexed document, dead letters for mapping
 * conflicts, and nothing lost or duplicated when Elasticsearch is killed mid-run and comes back.
 * Each test writes to its own index, removed afterwards; the kill test runs its own Elasticsearch.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { Registry } from 'prom-client';
import { createAuditWriter, type AuditWriter } from '../../runtime/audit/audit-writer.js';
import { buildAuditRecord, type AuditInput } from '../../runtime/audit/record.js';
import { createRedactor } from '../../runtime/audit/redact.js';
import { createElasticsearchSink } from '../../runtime/audit/sinks/elasticsearch-sink.js';
import { requireService } from '../helpers/services.js';

const run = promisify(execFile);
const servicesScript = new URL('../../scripts/services.sh', import.meta.url).pathname;
const capture = { prompt: 'full', completion: 'full', redactor: createRedactor({ redact: [{ preset: 'email' }, { preset: 'api_key' }], maxCaptureChars: 8192 }) } as const;

interface Setup { client: Client; index: string; writer: AuditWriter; directory: string; registry: Registry }

async function setup(t: TestContext, url: string, batch = { maxCount: 100, maxBytes: 1_000_000, intervalMs: 20 }): Promise<Setup> {
  const client = new Client({ node: url, requestTimeout: 30_000 });
  const index = `aigw-audit-test-${randomUUID()}`;
  const directory = await mkdtemp(join(tmpdir(), 'aigw-es-audit-'));
  const registry = new Registry();
  const sink = await createElasticsearchSink({ url, index, batch, requestTimeoutMs: 5_000 });
  const writer = await createAuditWriter({ sinks: [sink], spoolDirectory: directory, metrics: registry, backoff: { initialMs: 200, maxMs: 2_000 } });
  t.after(async () => {
    await writer.close(2_000);
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: index }).catch(() => undefined);
    await client.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { client, index, writer, directory, registry };
}

function input(requestId: string, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    timestamp: Date.UTC(2026, 0, 1), requestId, credentialId: 'team-a', clientAddress: '127.0.0.1', method: 'POST',
    path: '/v1/chat/completions', route: 'chat', requestedModel: 'gpt-4o-mini', provider: 'openai', providerType: 'openai',
    model: 'gpt-4o-mini', attempts: [{ provider: 'openai', model: 'gpt-4o-mini', status: 200, outcome: 'success', durationMs: 40 }],
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 }, stream: false, status: 200, ttfbMs: 30, durationMs: 50,
    promptMessages: [{ role: 'user', content: 'hello' }], completionText: 'hi', finishReason: 'stop', ...overrides,
  };
}

async function count(client: Client, index: string, query?: Record<string, unknown>): Promise<number> {
  await client.indices.refresh({ index });
  return (await client.count({ index, ...(query === undefined ? {} : { query }) })).count;
}

test('records land with the template mappings and are searchable by route and provider', async (t) => {
  const url = requireService(t, 'elasticsearch');
  if (url === undefined) return;
  const { client, index, writer } = await setup(t, url);
  writer.enqueue(buildAuditRecord(input('a1'), capture));
  writer.enqueue(buildAuditRecord(input('a2', { route: 'summaries', provider: 'anthropic', providerType: 'anthropic', model: 'claude-haiku-4-5' }), capture));
  writer.enqueue(buildAuditRecord(input('a3', {
    route: 'summaries', provider: 'anthropic', providerType: 'anthropic',
    attempts: [
      { provider: 'openai', model: 'gpt-4o-mini', status: 503, reason: 'retryable_5xx', outcome: 'failure', durationMs: 20 },
      { provider: 'anthropic', model: 'claude-haiku-4-5', status: 200, outcome: 'success', durationMs: 30 },
    ],
  }), capture));
  // A rejected request never reached a route or a provider: those fields are absent, not just empty.
  const { route: _route, provider: _provider, providerType: _providerType, model: _model, ...rejected } = input('a4', { status: 401, errorCode: 'AIGW_E_UNAUTHENTICATED', attempts: [] });
  writer.enqueue(buildAuditRecord(rejected, capture));
  assert.equal(await writer.flush(30_000), true);

  const template = await client.indices.getIndexTemplate({ name: index });
  assert.deepEqual(template.index_templates[0]?.index_template.index_patterns, [index, `${index}-*`]);
  const mapping = (await client.indices.getMapping({ index }))[index]?.mappings as { properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }> };
  assert.equal(mapping.properties['@timestamp']?.type, 'date');
  assert.equal(mapping.properties['aigw']?.properties?.['route']?.type, 'keyword');
  assert.equal(mapping.properties['aigw']?.properties?.['attempts']?.type, 'nested');
  assert.equal((mapping.properties['gen_ai']?.properties?.['usage'] as { properties: Record<string, { type: string }> }).properties['input_tokens']?.type, 'long');

  assert.equal(await count(client, index), 4);
  assert.equal(await count(client, index, { term: { 'aigw.route': 'summaries' } }), 2);
  assert.equal(await count(client, index, { term: { 'aigw.provider': 'openai' } }), 1);
  assert.equal(await count(client, index, { term: { 'gen_ai.system': 'anthropic' } }), 2);
  assert.equal(await count(client, index, { term: { 'http.response.status_code': 401 } }), 1);
  assert.equal(await count(client, index, { range: { '@timestamp': { gte: '2026-01-01T00:00:00Z' } } }), 4);
  const failedOverFromOpenai = { nested: { path: 'aigw.attempts', query: { bool: { filter: [{ term: { 'aigw.attempts.provider': 'openai' } }, { term: { 'aigw.attempts.reason': 'retryable_5xx' } }] } } } };
  assert.equal(await count(client, index, failedOverFromOpenai), 1);
  const document = await client.get<Record<string, unknown>>({ index, id: 'a1' });
  assert.equal((document._source as { http: { request: { id: string } } }).http.request.id, 'a1', '_id is the request id');
});

test('the indexed prompt is redacted before it left the process', async (t) => {
  const url = requireService(t, 'elasticsearch');
  if (url === undefined) return;
  const { client, index, writer } = await setup(t, url);
  writer.enqueue(buildAuditRecord(input('secret-1', {
    promptMessages: [{ role: 'user', content: 'mail jane.doe@example.com with key sk-proj-abcdefghijklmnopqrstu' }],
    completionText: 'sent to jane.doe@example.com',
  }), capture));
  assert.equal(await writer.flush(30_000), true);
  const source = (await client.get<{ gen_ai: { prompt: string; completion: string } }>({ index, id: 'secret-1' }))._source;
  assert.equal(source?.gen_ai.prompt, 'user: mail [REDACTED:email] with key [REDACTED:api_key]');
  assert.equal(source?.gen_ai.completion, 'sent to [REDACTED:email]');
  assert.equal(await count(client, index, { match: { 'gen_ai.prompt': 'jane.doe@example.com' } }), 0);
  assert.equal(await count(client, index, { match: { 'gen_ai.prompt': 'REDACTED:email' } }), 1);
});

test('a record Elasticsearch rejects for a mapping conflict goes to the dead-letter file; its batch-mates land', async (t) => {
  const url = requireService(t, 'elasticsearch');
  if (url === undefined) return;
  const { client, index, writer, directory, registry } = await setup(t, url);
  writer.enqueue(buildAuditRecord(input('ok-1'), capture));
  const conflicting = buildAuditRecord(input('conflict-1'), capture) as Record<string, unknown>;
  writer.enqueue({ ...conflicting, gen_ai: { usage: { input_tokens: 'not a number' } } } as unknown as ReturnType<typeof buildAuditRecord>);
  writer.enqueue(buildAuditRecord(input('ok-2'), capture));
  assert.equal(await writer.flush(30_000), true);
  assert.equal(await count(client, index), 2);
  const lines = (await readFile(join(directory, 'elasticsearch.dead-letter.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0] ?? '{}') as { status: number; reason: string; record: { http: { request: { id: string } } } };
  assert.equal(entry.status, 400);
  assert.match(entry.reason, /(document|mapper)_parsing_exception/);
  assert.equal(entry.record.http.request.id, 'conflict-1');
  const retried = (await registry.getSingleMetric('aigw_audit_retried_total')?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
  assert.equal(retried, 0, 'a content rejection is never retried');
});

test('an index under a write block (403 cluster_block_exception) keeps its records for a retry, never the dead letters', async (t) => {
  const url = requireService(t, 'elasticsearch');
  if (url === undefined) return;
  const { client, index, writer, directory } = await setup(t, url);
  await client.indices.create({ index });
  await client.indices.putSettings({ index, settings: { 'index.blocks.write': true } });
  for (const id of ['blocked-1', 'blocked-2', 'blocked-3']) writer.enqueue(buildAuditRecord(input(id), capture));
  assert.equal(await writer.flush(1_500), false, 'not delivered while the block holds');
  assert.equal(await count(client, index), 0);
  await client.indices.putSettings({ index, settings: { 'index.blocks.write': false } });
  assert.equal(await writer.flush(30_000), true);
  assert.equal(await count(client, index), 3);
  const deadLetters = await readFile(join(directory, 'elasticsearch.dead-letter.jsonl'), 'utf8').catch(() => '');
  assert.equal(deadLetters.trim(), '', 'nothing was dead-lettered');
});

/**
 * Runs on a private Elasticsearch (same distribution, its own run folder and port), so killing it
 * never disturbs the shared one other test files may be using at the same time.
 */
test('Elasticsearch killed during 2 000 records and restarted: exactly 2 000 documents, no duplicates', async (t) => {
  if (requireService(t, 'elasticsearch') === undefined) return;
  const runFolder = await mkdtemp(join(tmpdir(), 'aigw-es-private-'));
  const env = { ...process.env, AIGW_SERVICES_RUN: runFolder, AIGW_ES_PORT: '9270' };
  t.after(async () => {
    await run(servicesScript, ['stop', 'elasticsearch'], { env, timeout: 60_000 }).catch(() => undefined);
    await rm(runFolder, { recursive: true, force: true });
  });
  const started = await run(servicesScript, ['start', 'elasticsearch'], { env, timeout: 180_000 });
  const url = /AIGW_TEST_ES_URL=(\S+)/.exec(started.stdout)?.[1];
  assert.ok(url !== undefined, `services.sh printed no URL: ${started.stdout}`);
  const { client, index, writer, registry } = await setup(t, url, { maxCount: 50, maxBytes: 1_000_000, intervalMs: 10 });
  const total = 2_000;
  for (let index = 0; index < total; index += 1) {
    writer.enqueue(buildAuditRecord(input(`kill-${index}`, { route: `route-${index % 7}` }), capture));
    if (index % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
    if (index === 600) await run(servicesScript, ['stop', 'elasticsearch'], { env: { ...env, AIGW_SERVICES_STOP_SIGNAL: 'KILL' } });
  }
  const status = writer.status()[0];
  assert.equal(status?.healthy, false, 'the sink noticed Elasticsearch was gone');
  assert.ok((status?.spoolBytes ?? 0) > 0, 'records spooled to disk meanwhile');
  await run(servicesScript, ['start', 'elasticsearch'], { env, timeout: 180_000 });
  assert.equal(await writer.flush(120_000), true, 'everything delivered after the restart');
  assert.equal(await count(client, index), total);
  await client.indices.refresh({ index });
  const distinct = await client.search({ index, size: 0, aggs: { ids: { cardinality: { field: 'http.request.id', precision_threshold: 4_000 } } } });
  assert.equal((distinct.aggregations?.['ids'] as { value: number }).value, total);
  const dropped = (await registry.getSingleMetric('aigw_audit_dropped_total')?.get())?.values.length ?? 0;
  assert.equal(dropped, 0);
});
