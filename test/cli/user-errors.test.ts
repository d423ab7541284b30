/**
 * User mistakes end as usage or I/O errors (exit 2) with one plain line on stderr: never "unexpected
 * error" (the wording of a bug), never raw escape sequences from a file, and JSON stays on stdout.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';

const root = new URL('../../', import.meta.url).pathname;
const cwd = mkdtempSync(join(tmpdir(), 'aigw-user-errors-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
writeFileSync(join(cwd, 'admin.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
writeFileSync(join(cwd, 'routes.yaml'), 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]\n');

async function run(argv: string[], options: Parameters<typeof createTestIo>[0] = {}) {
  const io = createTestIo({ cwd, ...options });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

function assertUserError(result: { code: number; err: string }, message: RegExp): void {
  assert.equal(result.code, ExitCode.Usage, result.err);
  assert.match(result.err, message);
  assert.doesNotMatch(result.err, /unexpected error|AIGW_DEBUG|\n\s+at /);
}

test('diff --gateway with a malformed or non-http URL is a usage error, checked before the keys', async () => {
  for (const url of ['not-a-url', 'ftp://127.0.0.1:8081', 'http://127.0.0.1:8081/?x=1']) {
    assertUserError(await run(['diff', 'routes.yaml', '--gateway', url, '--key-id', 'ops', '--key-file', 'admin.key']), /--gateway .+(not a URL|only http|without query)/);
    assertUserError(await run(['diff', 'routes.yaml', '--gateway', url]), /--gateway .+(not a URL|only http|without query)/);
  }
});

test('audit --es-url that is not an http(s) URL is a usage error naming the flag', async () => {
  for (const url of ['not-a-url', 'ftp://es.internal:9200']) {
    assertUserError(await run(['audit', 'tail', '--es-url', url]), /^aigw: --es-url must be an http or https URL/);
  }
});

test('mock --host that resolves to nothing is an I/O error, not a crash', async () => {
  assertUserError(await run(['mock', '--port', '0', '--host', 'no-such-host.invalid']), /^aigw: cannot listen on no-such-host\.invalid:0 \((ENOTFOUND|EAI_AGAIN)\)\n$/);
});

test('an error quoting a file shows its control characters escaped, never as terminal escape sequences', async () => {
  writeFileSync(join(cwd, 'escape.json'), '\u001b]0;owned\u0007\u001b[31mRED');
  const result = await run(['dry-run', 'routes.yaml', '--request', 'escape.json']);
  assertUserError(result, /^aigw: escape\.json is not valid JSON/);
  assert.doesNotMatch(result.err, /[\u0000-\u0009\u000b-\u001f]/);
  assert.match(result.err, /\\u001b/);
});

test('keys generate: the client snippet quotes a key path with spaces, so it can be pasted into a shell', async () => {
  const result = await run(['keys', 'generate', '--type', 'hmac', '--out', 'ops key']);
  assert.equal(result.code, ExitCode.Ok, result.err);
  const line = /^AIGW_ADMIN_KEY_FILE=.*$/m.exec(result.out)?.[0] ?? '';
  assert.equal(line, "AIGW_ADMIN_KEY_FILE='ops key.key'");
  assert.equal(execFileSync('sh', ['-c', `${line}; printf %s "$AIGW_ADMIN_KEY_FILE"`], { encoding: 'utf8' }), 'ops key.key');
});

test('simulate --format json with an invalid scenario prints its diagnostics as the JSON document (exit 2)', async () => {
  writeFileSync(join(cwd, 'scenario.yaml'), 'requests: many\nbogus: 1\n');
  const result = await run(['simulate', join(root, 'examples/routes.yaml'), '--scenario', 'scenario.yaml', '--format', 'json']);
  assert.equal(result.code, ExitCode.Usage);
  const document = JSON.parse(result.out) as { files: { file: string; valid: boolean }[]; diagnostics: { ruleId: string; line: number; hint: string }[] };
  assert.deepEqual(document.files.map((file) => [file.file, file.valid]), [['scenario.yaml', false]]);
  assert.ok(document.diagnostics.length >= 2);
  assert.ok(document.diagnostics.every((diagnostic) => diagnostic.ruleId.startsWith('schema/') && diagnostic.line > 0 && diagnostic.hint !== ''));
  assert.equal(result.err, 'aigw: scenario.yaml is not a valid scenario\n');
});

test('audit --since takes ISO times and durations only: a bare number or a loose date is a usage error, not a silent filter', async () => {
  writeFileSync(join(cwd, 'audit.jsonl'), `${JSON.stringify({ '@timestamp': '2026-01-01T12:00:00Z', aigw: { route: 'chat' } })}\n`);
  // Date.parse reads these as May 2001, 2045 and May 2001: every record, or none, without a word.
  for (const since of ['5', '45', 'May 1']) {
    assertUserError(await run(['audit', 'search', '--since', since]), /--since must be an ISO time or a duration/);
  }
  for (const since of ['2026-01-01', '2025-12-31T00:00', '2026-01-01T11:00:00Z', '2026-01-01T13:00:00+02:00']) {
    const result = await run(['audit', 'search', '--since', since, '--format', 'json']);
    assert.equal(result.code, ExitCode.Ok, `${since}: ${result.err}`);
    assert.equal((JSON.parse(result.out) as { count: number }).count, 1, since);
  }
});

test('audit --limit and --status take decimal numbers only (not 1e3, 0x10 or 2e2)', async () => {
  for (const limit of ['1e3', '0x10', '1.0']) assertUserError(await run(['audit', 'tail', '--limit', limit]), /--limit must be a positive integer/);
  for (const status of ['2e2', '0x1F4', '200.0']) assertUserError(await run(['audit', 'tail', '--status', status]), /--status must be an HTTP status code/);
});

test('audit --file - (stdin, which audit cannot read) says so instead of "no audit file at ./-"', async () => {
  assertUserError(await run(['audit', 'tail', '--file', '-']), /^aigw: audit reads a file \(--file PATH\) or Elasticsearch \(--es-url\), not standard input\n$/);
});

test('audit: a file that cannot be read is an I/O error naming it (exit 2), not an unexpected error', async () => {
  // Readable to nobody, root included: reading /proc/self/mem at offset 0 fails with EIO.
  assertUserError(await run(['audit', 'tail', '--file', '/proc/self/mem']), /^aigw: cannot read \/proc\/self\/mem: /);
  if (process.getuid?.() !== 0) {
    writeFileSync(join(cwd, 'locked.jsonl'), '{}\n', { mode: 0o000 });
    assertUserError(await run(['audit', 'tail', '--file', 'locked.jsonl']), /^aigw: cannot read .*locked\.jsonl: permission denied\n$/);
  }
});
