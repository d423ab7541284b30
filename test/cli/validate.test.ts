/** `aigw validate` in-process: formats, exit codes, stdin, env handling, --strict. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';

const root = new URL('../../', import.meta.url).pathname;
const SEED = 'test/manifests/good/001-seed.yaml';
const BAD = 'test/manifests/bad/056-negative-weight.yaml';

async function validate(args: string[], options: Parameters<typeof createTestIo>[0] = {}) {
  const io = createTestIo({ cwd: root, ...options });
  const code = await main(['validate', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

test('the design §2 seed passes verbatim: exit 0, the open-gateway warning, no error', async () => {
  const { code, out, err } = await validate([SEED]);
  assert.equal(code, ExitCode.Ok);
  assert.equal(err, '');
  assert.match(out, /^test\/manifests\/good\/001-seed\.yaml:1:1 warning credential\/none no credentials: .*\n  hint: .+$/m);
  assert.match(out, /1 file checked: 0 errors, 1 warning\n$/);
});

test('--strict makes warnings fail with exit 1', async () => {
  assert.equal((await validate(['--strict', SEED])).code, ExitCode.Findings);
});

test('errors exit 1 and print file:line:col severity rule-id message with a hint', async () => {
  const { code, out } = await validate([BAD]);
  assert.equal(code, ExitCode.Findings);
  assert.match(out, /^test\/manifests\/bad\/056-negative-weight\.yaml:9:65 error route\/weight-invalid .+\n  hint: Use a whole number/m);
});

test('several files are checked in argument order; an unreadable one makes the exit 2 without a stack trace', async () => {
  const { code, out, err } = await validate([BAD, 'no/such/routes.yaml', SEED]);
  assert.equal(code, ExitCode.Usage);
  assert.equal(err, 'aigw: cannot read no/such/routes.yaml: no such file\n');
  assert.ok(out.indexOf('056-negative-weight') < out.indexOf('001-seed'));
  assert.match(out, /2 files checked: 1 error, 1 warning; 1 file could not be read/);
});

test('a directory is an I/O error (exit 2), never summarised as "no problems"', async () => {
  const { code, out, err } = await validate(['test/manifests']);
  assert.equal(code, ExitCode.Usage);
  assert.match(err, /cannot read test\/manifests: is a directory/);
  assert.doesNotMatch(out, /no problems/);
  assert.match(out, /0 files checked: 0 errors, 0 warnings; 1 file could not be read/);
});

test('- reads the manifest from stdin, once', async () => {
  const stdin = 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a, weight: -1 }] }]\n';
  const { code, out } = await validate(['-'], { stdin });
  assert.equal(code, ExitCode.Findings);
  assert.match(out, /^<stdin>:1:93 error route\/weight-invalid /m);
  assert.equal((await validate(['-', '-'], { stdin })).code, ExitCode.Usage);
});

test('a missing variable fails unless --allow-missing-env; a set one passes', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-validate-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, 'routes.yaml'), 'credentials: []\nproviders:\n  openai: { api_key: "${OPENAI_API_KEY}" }\nai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]\n');
  const missing = await validate(['routes.yaml'], { cwd: directory });
  assert.equal(missing.code, ExitCode.Findings);
  assert.match(missing.out, /routes\.yaml:3:23 error env\/missing-variable environment variable OPENAI_API_KEY is not set/);
  const allowed = await validate(['--allow-missing-env', 'routes.yaml'], { cwd: directory });
  assert.equal(allowed.code, ExitCode.Ok);
  assert.match(allowed.out, /warning env\/missing-variable/);
  const set = await validate(['routes.yaml'], { cwd: directory, env: { OPENAI_API_KEY: 'sk-test-value' } });
  assert.equal(set.code, ExitCode.Ok);
  assert.equal(set.out.includes('sk-test-value'), false);
});

test('--format json is the versioned document, with the manifest version of each parsed file', async () => {
  const { code, out } = await validate(['--format', 'json', SEED, BAD]);
  assert.equal(code, ExitCode.Findings);
  const document = JSON.parse(out) as { version: number; files: { file: string; valid: boolean; manifestVersion?: string }[]; diagnostics: { ruleId: string }[] };
  assert.equal(document.version, 1);
  assert.deepEqual(document.files.map((file) => file.valid), [true, false]);
  assert.match(document.files[0]?.manifestVersion ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(document.diagnostics.map((diagnostic) => diagnostic.ruleId), ['credential/none', 'route/weight-invalid']);
});

test('--format github prints workflow annotations; --format sarif prints a SARIF 2.1.0 log', async () => {
  const github = await validate(['--format', 'github', BAD]);
  assert.match(github.out, /^::error file=test\/manifests\/bad\/056-negative-weight\.yaml,line=9,col=65,title=route\/weight-invalid::/m);
  const sarif = await validate(['--format', 'sarif', BAD]);
  assert.equal(sarif.code, ExitCode.Findings);
  const log = JSON.parse(sarif.out) as { version: string; runs: { results: { ruleId: string }[] }[] };
  assert.equal(log.version, '2.1.0');
  assert.deepEqual(log.runs[0]?.results.map((result) => result.ruleId), ['route/weight-invalid']);
});

test('an unknown format is a usage error', async () => {
  const { code, err } = await validate(['--format', 'xml', SEED]);
  assert.equal(code, ExitCode.Usage);
  assert.match(err, /Allowed choices are text, json, github, sarif/);
});

test('colour follows io.color, never the process', async () => {
  assert.match((await validate([BAD], { color: true })).out, /\u001b\[/);
  assert.doesNotMatch((await validate([BAD], { color: false })).out, /\u001b\[/);
});

test('examples/routes.yaml is valid', async () => {
  const { code, out } = await validate(['examples/routes.yaml']);
  assert.equal(code, ExitCode.Ok, out);
  assert.match(out, /0 errors/);
});

test('a SARIF artifact URI escapes # and ? in a file name (a URI reader would take them for a fragment or query)', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-sarif-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, 'team#1?.yaml'), 'ai_routes: []\n');
  const { out } = await validate(['--format', 'sarif', 'team#1?.yaml'], { cwd: directory });
  const log = JSON.parse(out) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.equal(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri, 'team%231%3F.yaml');
});
