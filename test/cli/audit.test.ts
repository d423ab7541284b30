import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { main } from '../../cli/main.js';
import { createAuditWriter } from '../../runtime/audit/audit-writer.js';
import { buildAuditRecord, type AuditInput } from '../../runtime/audit/record.js';
import { createRedactor } from '../../runtime/audit/redact.js';
import { createElasticsearchSink } from '../../runtime/audit/sinks/elasticsearch-sink.js';
import { createTestIo } from '../helpers/io.js';
import { requireService } from '../helpers/services.js';

const capture = { prompt: 'none', completion: 'none', redactor: createRedactor({ redact: [], maxCaptureChars: 0 }) } as const;
const base = Date.UTC(2026, 0, 1, 12, 0, 0);

function record(index: number, overrides: Partial<AuditInput> = {}): string {
  return JSON.stringify(buildAuditRecord({
    timestamp: base + index * 60_000, requestId: `req-${index}`, method: 'POST', path: '/v1/chat/completions',
    route: index % 2 === 0 ? 'chat' : 'summaries', provider: index % 3 === 0 ? 'anthropic' : 'openai', model: 'm',
    attempts: [{ provider: 'openai', model: 'm', status: 200, outcome: 'success', durationMs: 10 }],
    usage: { promptTokens: index, completionTokens: 1, totalTokens: index + 1 }, stream: index % 2 === 1,
    status: index === 4 ? 429 : 200, durationMs: 12.4, ...overrides,
  }, capture));
}

/** audit.jsonl.2 (req-0..2), audit.jsonl.1 (req-3..5), audit.jsonl (req-6..8). */
async function auditFolder(t: TestContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-cli-audit-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const lines = (from: number) => [0, 1, 2].map((offset) => `${record(from + offset)}\n`).join('');
  await writeFile(join(directory, 'audit.jsonl.2'), lines(0));
  await writeFile(join(directory, 'audit.jsonl.1'), lines(3));
  await writeFile(join(directory, 'audit.jsonl'), lines(6));
  return directory;
}

async function aigw(argv: string[], cwd: string, env: Record<string, string> = {}) {
  const io = createTestIo({ cwd, env });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test('tail reads the rotated files oldest first and prints the last N as a table', async (t) => {
  const directory = await auditFolder(t);
  const { code, out } = await aigw(['audit', 'tail', '--limit', '4'], directory);
  assert.equal(code, 0);
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^TIME\s+STATUS\s+ROUTE\s+PROVIDER\/MODEL\s+TOKENS IN\/OUT\s+MS\s+ATTEMPTS\s+STREAM\s+REQUEST ID/);
  assert.deepEqual(lines.slice(1).map((line) => /req-\d+/.exec(line)?.[0]), ['req-5', 'req-6', 'req-7', 'req-8']);
  assert.match(lines[1] ?? '', /^2026-01-01T12:05:00.000Z\s+200\s+summaries\s+openai\/m\s+5\/1\s+12\s+1\s+yes\s+req-5/);
});

test('search filters by route, provider, status and since; newest first; json is a versioned document', async (t) => {
  const directory = await auditFolder(t);
  const json = async (...flags: string[]) => {
    const { code, out } = await aigw(['audit', 'search', '--format', 'json', ...flags], directory);
    assert.equal(code, 0);
    const document = JSON.parse(out) as { version: number; source: string; count: number; records: { http: { request: { id: string } } }[] };
    assert.equal(document.version, 1);
    assert.equal(document.source, join(directory, 'audit.jsonl'));
    return document.records.map((entry) => entry.http.request.id);
  };
  assert.deepEqual(await json('--route', 'chat'), ['req-8', 'req-6', 'req-4', 'req-2', 'req-0']);
  assert.deepEqual(await json('--provider', 'anthropic'), ['req-6', 'req-3', 'req-0']);
  assert.deepEqual(await json('--status', '429'), ['req-4']);
  assert.deepEqual(await json('--since', '2026-01-01T12:06:00Z'), ['req-8', 'req-7', 'req-6']);
  assert.deepEqual(await json('--route', 'chat', '--provider', 'openai', '--limit', '2'), ['req-8', 'req-4']);
});

test('--since takes durations relative to now', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-cli-audit-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const now = Date.now();
  await writeFile(join(directory, 'audit.jsonl'), [record(1, { timestamp: now - 3 * 3_600_000 }), record(2, { timestamp: now - 10 * 60_000 })].join('\n') + '\n');
  const { out } = await aigw(['audit', 'tail', '--since', '15m', '--format', 'json'], directory);
  assert.deepEqual((JSON.parse(out) as { records: { http: { request: { id: string } } }[] }).records.map((entry) => entry.http.request.id), ['req-2']);
});

test('unreadable lines are skipped and counted on stderr; no match still exits 0', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-cli-audit-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  await writeFile(join(directory, 'custom.jsonl'), `${record(1)}\nnot json\n[1]\n`);
  const result = await aigw(['audit', 'tail', '--file', 'custom.jsonl', '--route', 'nope'], directory);
  assert.equal(result.code, 0);
  assert.equal(result.out, 'no matching audit records\n');
  assert.match(result.err, /skipped 2 unreadable line\(s\)/);
});

test('bad flags and a missing file exit 2 with one clear line', async (t) => {
  const directory = await auditFolder(t);
  const cases: [string[], RegExp][] = [
    [['audit', 'tail', '--limit', '0'], /--limit must be a positive integer/],
    [['audit', 'search', '--status', 'abc'], /--status must be an HTTP status code/],
    [['audit', 'search', '--since', 'yesterday-ish'], /--since must be an ISO time or a duration/],
    [['audit', 'tail', '--file', 'missing.jsonl'], /no audit file at .*missing\.jsonl/],
  ];
  for (const [argv, message] of cases) {
    const result = await aigw(argv, directory);
    assert.equal(result.code, 2, argv.join(' '));
    assert.match(result.err, message);
    assert.doesNotMatch(result.err, /\n\s+at /, 'no stack trace');
  }
});

test('audit search reads Elasticsearch with the same filters', async (t) => {
  const url = requireService(t, 'elasticsearch');
  if (url === undefined) return;
  const index = `aigw-audit-cli-${randomUUID()}`;
  const directory = await mkdtemp(join(tmpdir(), 'aigw-cli-audit-'));
  const client = new Client({ node: url });
  t.after(async () => {
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: index }).catch(() => undefined);
    await client.close();
    await rm(directory, { recursive: true, force: true });
  });
  const writer = await createAuditWriter({ sinks: [await createElasticsearchSink({ url, index })], spoolDirectory: directory });
  for (let index = 0; index < 9; index += 1) writer.enqueue(JSON.parse(record(index)) as ReturnType<typeof buildAuditRecord>);
  await writer.close(30_000);
  await client.indices.refresh({ index });
  const { code, out } = await aigw(['audit', 'search', '--es-url', url, '--index', index, '--route', 'chat', '--provider', 'openai', '--format', 'json'], directory);
  assert.equal(code, 0);
  assert.deepEqual((JSON.parse(out) as { records: { http: { request: { id: string } } }[] }).records.map((entry) => entry.http.request.id), ['req-8', 'req-4', 'req-2']);
  const tail = await aigw(['audit', 'tail', '--es-url', url, '--index', index, '--status', '429'], directory);
  assert.match(tail.out, /req-4/);
  assert.doesNotMatch(tail.out, /req-8/);
  // A misspelt index is an input error, never an empty trail.
  const misspelt = await aigw(['audit', 'search', '--es-url', url, '--index', `${index}-typo`], directory);
  assert.equal(misspelt.code, 2);
  assert.match(misspelt.err, /has no index "aigw-audit-cli-[^"]+-typo"/);
});

test('an audit --file that is a directory is an input error (exit 2), not an unexpected one', async (t) => {
  const directory = await auditFolder(t);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(directory, 'folder.jsonl'));
  const result = await aigw(['audit', 'tail', '--file', 'folder.jsonl'], directory);
  assert.equal(result.code, 2, result.err);
  assert.match(result.err, /folder\.jsonl is not a file/);
  assert.doesNotMatch(result.err, /unexpected/);
});
