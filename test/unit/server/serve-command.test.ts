/**
 * `aigw serve` through the CLI's `main(argv, io)` in-process: it listens, prints its banner (text or
 * JSON) and warnings on stderr and its JSON logs through io.stdout, drains when io.shutdown aborts and
 * returns 0; bad settings are usage errors (2), an invalid manifest is findings (1) with
 * file:line:col diagnostics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { main } from '../../../cli/main.js';
import { createTestIo, type TestIo } from '../../helpers/io.js';

async function directory(t: TestContext): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'aigw-serve-cli-'));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}

const ROUTES = 'ai_routes:\n  - { name: chat, match: { model: gpt-4o-mini }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n';

async function waitFor(io: TestIo, pattern: RegExp): Promise<RegExpExecArray> {
  for (let index = 0; index < 500; index += 1) {
    const match = pattern.exec(io.err());
    if (match !== null) return match;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`stderr never matched ${pattern}: ${io.err()}`);
}

test('serve --demo --format json: a JSON listening line, answers through the mock, drains on shutdown and returns 0', async (t) => {
  const folder = await directory(t);
  const file = join(folder, 'routes.yaml');
  await writeFile(file, ROUTES);
  const shutdown = new AbortController();
  const io = createTestIo({ shutdown: shutdown.signal });
  const exit = main(['serve', file, '--port', '0', '--demo', '--format', 'json', '--audit-file', join(folder, 'audit.jsonl')], io);
  t.after(() => shutdown.abort());
  const line = await waitFor(io, /^\{"event":"listening".*\}$/m);
  const listening = JSON.parse(line[0]) as { url: string; mockUrl: string; models: string[] };
  assert.deepEqual(listening.models, ['gpt-4o-mini']);
  assert.match(listening.mockUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${listening.url}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  assert.equal(response.status, 200);
  shutdown.abort();
  assert.equal(await exit, 0);
  assert.match(io.err(), /stopped cleanly/);
  const logs = io.out().split('\n').filter((text) => text !== '').map((text) => JSON.parse(text) as { level: number; msg: string });
  assert.ok(logs.some((entry) => entry.level === 40 && entry.msg.startsWith('OPEN GATEWAY')), 'the JSON logs went through io.stdout');
});

test('the text banner shows the open-gateway warning, the URL and a curl to try', async (t) => {
  const folder = await directory(t);
  const file = join(folder, 'routes.yaml');
  await writeFile(file, ROUTES);
  const shutdown = new AbortController();
  const io = createTestIo({ shutdown: shutdown.signal, env: { OPENAI_API_KEY: 'sk-test' } });
  const exit = main(['serve', file, '--port', '0', '--audit-file', join(folder, 'audit.jsonl')], io);
  t.after(() => shutdown.abort());
  await waitFor(io, /^try: curl /m);
  assert.match(io.err(), /^WARNING: OPEN GATEWAY/m);
  assert.match(io.err(), /^aigw gateway listening on http:\/\/127\.0\.0\.1:\d+ {2}\(OpenAI-compatible: http:\/\/127\.0\.0\.1:\d+\/v1\)$/m);
  assert.ok(!io.err().includes('sk-test'));
  shutdown.abort();
  assert.equal(await exit, 0);
});

test('the banner names twenty models and counts the rest: a manifest of thousands of routes does not print them all', async (t) => {
  const folder = await directory(t);
  const file = join(folder, 'routes.yaml');
  const routes = Array.from({ length: 25 }, (_, index) => `  - { name: r${index}, match: { model: m-${index} }, targets: [ { provider: openai, model: gpt-4o-mini } ] }`);
  await writeFile(file, `ai_routes:\n${routes.join('\n')}\n`);
  const shutdown = new AbortController();
  const io = createTestIo({ shutdown: shutdown.signal, env: { OPENAI_API_KEY: 'sk-test' } });
  const exit = main(['serve', file, '--port', '0', '--audit-file', join(folder, 'audit.jsonl')], io);
  t.after(() => shutdown.abort());
  await waitFor(io, /^try: curl /m);
  assert.match(io.err(), /^models: m-0, m-1, [^\n]*m-19 and 5 more \(GET \/v1\/models lists them all\)$/m);
  assert.doesNotMatch(io.err(), /m-20/);
  shutdown.abort();
  assert.equal(await exit, 0);
});

test('bad settings are usage errors (exit 2) naming the flag or variable', async () => {
  const io = createTestIo({ env: { AIGW_BODY_LIMIT: 'lots' } });
  assert.equal(await main(['serve', 'routes.yaml'], io), 2);
  assert.match(io.err(), /AIGW_BODY_LIMIT must be a non-negative integer/);
  const noManifest = createTestIo();
  assert.equal(await main(['serve'], noManifest), 2);
  assert.match(noManifest.err(), /no manifest/);
});

test('an unreadable manifest is exit 2; an invalid one is exit 1 with file:line:col diagnostics', async (t) => {
  const folder = await directory(t);
  const missing = createTestIo();
  assert.equal(await main(['serve', join(folder, 'nope.yaml'), '--port', '0'], missing), 2);
  assert.match(missing.err(), /cannot read manifest/);
  const file = join(folder, 'bad.yaml');
  await writeFile(file, 'ai_routes:\n  - name: chat\n    match: { model: m }\n    targets: [ { provider: openai, model: x, wieght: 2 } ]\n');
  const invalid = createTestIo();
  assert.equal(await main(['serve', file, '--port', '0'], invalid), 1);
  assert.match(invalid.err(), /bad\.yaml:4:\d+ .*schema\/unknown-key/);
});
