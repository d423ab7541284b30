/** `aigw diff` in-process: shares, exit codes, stdin, invalid inputs, masked secrets, JSON. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';

const seed = readFileSync(new URL('../manifests/good/001-seed.yaml', import.meta.url), 'utf8');
const changed = seed.replace('weight: 60', 'weight: 30').replace('weight: 40', 'weight: 70').replace('fallback: ollama/llama-3.1', 'fallback: vllm/meta-llama/Llama-3.1-8B')
  + '    timeout_ms: 30000\nproviders:\n  openai: { api_key: "sk-pasted-literal" }\n';

function workspace(t: TestContext, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-diff-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

async function diff(args: string[], options: Parameters<typeof createTestIo>[0]) {
  const io = createTestIo(options);
  const code = await main(['diff', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('route-by-route diff with traffic share before → after; secrets masked; no env needed', async (t) => {
  const cwd = workspace(t, { 'old.yaml': seed, 'new.yaml': changed });
  const { code, out, err } = await diff(['old.yaml', 'new.yaml'], { cwd });
  assert.equal(code, ExitCode.Ok);
  assert.equal(err, '');
  assert.match(out, /^--- old\.yaml\n\+\+\+ new\.yaml\n~ route chat-mid-tier\n/);
  assert.match(out, /^ {6}anthropic\/claude-haiku-4-5 {2}60% → 30%$/m);
  assert.match(out, /^ {6}openai\/gpt-4o-mini {10}40% → 70%$/m);
  assert.match(out, /^ {4}fallback: ollama\/llama-3\.1 → vllm\/meta-llama\/Llama-3\.1-8B$/m);
  assert.match(out, /^ {4}timeout_ms: 60000 → 30000$/m);
  assert.match(out, /^ {4}api_key: \$\{OPENAI_API_KEY\} → \*\*\*\*$/m);
  assert.equal(out.includes('sk-pasted-literal'), false);
});

test('--exit-code: 1 when something changed, 0 when nothing did', async (t) => {
  const cwd = workspace(t, { 'old.yaml': seed, 'new.yaml': changed, 'same.yaml': `# reformatted\n${seed}` });
  assert.equal((await diff(['--exit-code', 'old.yaml', 'new.yaml'], { cwd })).code, ExitCode.Findings);
  const same = await diff(['--exit-code', 'old.yaml', 'same.yaml'], { cwd });
  assert.equal(same.code, ExitCode.Ok);
  assert.match(same.out, /no changes/);
  assert.equal((await diff(['old.yaml', 'new.yaml'], { cwd })).code, ExitCode.Ok, 'without --exit-code, changes exit 0');
});

test('either side may be stdin', async (t) => {
  const cwd = workspace(t, { 'new.yaml': changed });
  const { code, out } = await diff(['-', 'new.yaml'], { cwd, stdin: seed });
  assert.equal(code, ExitCode.Ok);
  assert.match(out, /^--- <stdin>$/m);
  assert.match(out, /60% → 30%/);
});

test('an invalid side exits 2 with its diagnostics on stderr', async (t) => {
  const cwd = workspace(t, { 'old.yaml': seed, 'bad.yaml': seed.replace('weight: 60', 'wieght: 60') });
  const { code, out, err } = await diff(['old.yaml', 'bad.yaml'], { cwd });
  assert.equal(code, ExitCode.Usage);
  assert.equal(out, '');
  assert.match(err, /^aigw: bad\.yaml is not a valid manifest:\nbad\.yaml:8:9 error schema\/unknown-key unknown key "wieght"/);
  // --format json: the diagnostics are the stdout document (validate's shape), still exit 2.
  const json = await diff(['old.yaml', 'bad.yaml', '--format', 'json'], { cwd });
  assert.equal(json.code, ExitCode.Usage);
  const document = JSON.parse(json.out) as { files: { file: string; valid: boolean }[]; diagnostics: { ruleId: string; line: number }[] };
  assert.deepEqual(document.files.map((file) => [file.file, file.valid]), [['bad.yaml', false]]);
  assert.ok(document.diagnostics.some((diagnostic) => diagnostic.ruleId === 'schema/unknown-key' && diagnostic.line === 8));
});

test('unreadable files, a wrong argument count and --gateway without keys are usage errors (exit 2)', async (t) => {
  const cwd = workspace(t, { 'old.yaml': seed });
  const missing = await diff(['old.yaml', 'missing.yaml'], { cwd });
  assert.equal(missing.code, ExitCode.Usage);
  assert.equal(missing.err, 'aigw: cannot read missing.yaml: no such file\n');
  assert.equal((await diff(['old.yaml'], { cwd })).code, ExitCode.Usage);
  assert.equal((await diff(['-', '-'], { cwd, stdin: seed })).code, ExitCode.Usage);
  const gateway = await diff(['--gateway', 'http://127.0.0.1:8081', 'old.yaml'], { cwd });
  assert.equal(gateway.code, ExitCode.Usage, 'the live side needs signing keys');
  assert.match(gateway.err, /--key-id/);
  assert.doesNotMatch(gateway.err, /\n\s+at /);
  assert.equal((await diff(['--gateway', 'http://127.0.0.1:8081', 'old.yaml', 'new.yaml'], { cwd })).code, ExitCode.Usage, 'one manifest with --gateway');
});

test('--format json carries both manifest versions and the ChangeSet', async (t) => {
  const cwd = workspace(t, { 'old.yaml': seed, 'new.yaml': changed });
  const { code, out } = await diff(['--format', 'json', 'old.yaml', 'new.yaml'], { cwd });
  assert.equal(code, ExitCode.Ok);
  const document = JSON.parse(out) as {
    version: number; changed: boolean; before: { source: string; manifestVersion: string }; after: { manifestVersion: string };
    routes: { name: string; shares: { target: string; before: number; after: number }[] }[]; providers: { id: string }[];
  };
  assert.equal(document.version, 1);
  assert.equal(document.changed, true);
  assert.equal(document.before.source, 'old.yaml');
  assert.notEqual(document.before.manifestVersion, document.after.manifestVersion);
  assert.deepEqual(document.routes[0]?.shares[0], { target: 'anthropic/claude-haiku-4-5', before: 60, after: 30 });
  assert.equal(out.includes('sk-pasted-literal'), false);
});
