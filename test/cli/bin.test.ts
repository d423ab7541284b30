/**
 * Spawn tests of the built binary (dist/cli/bin.js): real exit codes, no stack traces on hostile
 * input, and the startup module list — `aigw --help` and `aigw validate` must not load fastify, ink,
 * React or the Elasticsearch client. Modules are recorded by a resolve hook (every ESM import) plus
 * the CommonJS cache at exit (every require), written to a file the test reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'dist/cli/bin.js');
const SEED = 'test/manifests/good/001-seed.yaml';
const HEAVY = /\/node_modules\/(fastify|ink|react|react-reconciler|@elastic\/elasticsearch)\//;
const STACK = /\n\s+at .+:\d+:\d+/;

const HOOK = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}`;
const PRELOAD = `
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const file = process.env.AIGW_TEST_MODULE_LOG;
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}), { data: { file } });
const cache = createRequire(process.cwd() + '/').cache;
process.on('exit', () => appendFileSync(file, Object.keys(cache).join('\\n') + '\\n'));`;

before(() => {
  if (existsSync(bin)) return;
  // `npm test` builds first (pretest); a lone run of this file builds here.
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  assert.ok(existsSync(bin), 'dist/cli/bin.js could not be built');
});

function aigw(args: readonly string[], options: { input?: string; recordModules?: boolean } = {}) {
  return node([bin, ...args], options);
}

function node(args: readonly string[], options: { input?: string; recordModules?: boolean } = {}) {
  let directory: string | undefined;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', AIGW_DEBUG: undefined };
  const nodeArgs: string[] = [];
  if (options.recordModules === true) {
    directory = mkdtempSync(join(tmpdir(), 'aigw-modules-'));
    env['AIGW_TEST_MODULE_LOG'] = join(directory, 'modules.txt');
    nodeArgs.push('--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`);
  }
  const result = spawnSync(process.execPath, [...nodeArgs, ...args], {
    cwd: root, env, input: options.input ?? '', encoding: 'utf8', timeout: 60_000,
  });
  const modules = directory === undefined ? [] : readFileSync(join(directory, 'modules.txt'), 'utf8').split('\n').filter(Boolean);
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

test('the module recorder sees a heavy module when one is loaded (the checks below are not vacuous)', () => {
  const { status, modules } = node(['--input-type=module', '-e', "await import('fastify')"], { recordModules: true });
  assert.equal(status, 0);
  assert.ok(modules.some((url) => HEAVY.test(url)));
});

test('aigw --help exits 0 and loads none of fastify, ink, React or the Elasticsearch client', () => {
  const { status, stdout, modules } = aigw(['--help'], { recordModules: true });
  assert.equal(status, 0);
  assert.match(stdout, /validate/);
  assert.ok(modules.some((url) => url.includes('/node_modules/commander/')), 'the module log works (commander seen)');
  assert.deepEqual(modules.filter((url) => HEAVY.test(url)), []);
});

test('aigw validate on the seed exits 0 and loads none of the heavy modules', () => {
  const { status, stdout, modules } = aigw(['validate', SEED], { recordModules: true });
  assert.equal(status, 0, stdout);
  assert.match(stdout, /credential\/none/);
  assert.ok(modules.some((url) => url.includes('/node_modules/yaml/')), 'the module log works (yaml seen)');
  assert.deepEqual(modules.filter((url) => HEAVY.test(url)), []);
  assert.deepEqual(modules.filter((url) => /\/node_modules\/ajv\/dist\/(core|2020|ajv)\.js/.test(url)), [], 'the schema validator is precompiled');
});

test('every bad corpus file through the binary: exit 1, diagnostics, never a stack trace', () => {
  const files = readdirSync(join(root, 'test/manifests/bad')).filter((name) => name.endsWith('.yaml')).map((name) => `test/manifests/bad/${name}`);
  const { status, stdout, stderr } = aigw(['validate', ...files]);
  assert.equal(status, 1);
  assert.equal(stderr, '');
  assert.doesNotMatch(stdout, STACK);
  assert.match(stdout, new RegExp(`${files.length} files checked: \\d+ errors`));
});

test('an unreadable file exits 2 with one line on stderr', () => {
  const { status, stderr } = aigw(['validate', 'no/such/file.yaml']);
  assert.equal(status, 2);
  assert.equal(stderr, 'aigw: cannot read no/such/file.yaml: no such file\n');
});

test('a bad flag exits 2 without a stack trace', () => {
  const { status, stderr } = aigw(['validate', '--no-such-flag', SEED]);
  assert.equal(status, 2);
  assert.doesNotMatch(stderr, STACK);
});

test('binary garbage on stdin is a diagnostic, not a crash', () => {
  const { status, stdout, stderr } = aigw(['validate', '--format', 'json', '-'], { input: '\u0000\u0001\u0002\u00ff binary' });
  assert.equal(status, 1, stderr);
  const document = JSON.parse(stdout) as { diagnostics: { ruleId: string }[] };
  assert.equal(document.diagnostics[0]?.ruleId, 'yaml/not-utf8');
});

test('aigw diff reads one side from stdin and exits 1 on changes with --exit-code', () => {
  const seed = readFileSync(join(root, SEED), 'utf8');
  const changed = aigw(['diff', '--exit-code', SEED, '-'], { input: seed.replace('weight: 60', 'weight: 30') });
  assert.equal(changed.status, 1, changed.stderr);
  assert.match(changed.stdout, /anthropic\/claude-haiku-4-5 {2}60% → 42\.9%/);
  const same = aigw(['diff', '--exit-code', SEED, '-'], { input: seed });
  assert.equal(same.status, 0);
});

test('colour only on a TTY: a piped run prints no escape codes; FORCE_COLOR turns them on, NO_COLOR wins over it', () => {
  const bad = join(root, 'test/manifests/bad', readdirSync(join(root, 'test/manifests/bad')).find((name) => name.endsWith('.yaml')) ?? '');
  const run = (env: Record<string, string | undefined>) => spawnSync(process.execPath, [bin, 'validate', bad], {
    cwd: root, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, AIGW_DEBUG: undefined, ...env }, encoding: 'utf8', timeout: 60_000,
  });
  const piped = run({});
  assert.equal(piped.status, 1, piped.stderr);
  assert.doesNotMatch(piped.stdout + piped.stderr, /\u001b\[/, 'stdout is a pipe here: no colour');
  assert.match(run({ FORCE_COLOR: '1' }).stdout, /\u001b\[/, 'FORCE_COLOR=1 colours even a pipe (so the check above is not vacuous)');
  assert.doesNotMatch(run({ FORCE_COLOR: '1', NO_COLOR: '1' }).stdout, /\u001b\[/);
});

test('the built binary is executable, so npx aigw (package.json bin) runs it', () => {
  assert.ok((statSync(bin).mode & 0o111) !== 0, `dist/cli/bin.js mode ${(statSync(bin).mode & 0o777).toString(8)}`);
  const run = spawnSync('npx', ['--no', '--', 'aigw', '--version'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^\d+\.\d+\.\d+/);
});
