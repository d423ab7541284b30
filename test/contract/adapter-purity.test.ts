/**
 * Adapters are pure (design §4, style §D): nothing under runtime/adapters/ imports network, file or
 * DNS modules, undici, the transport or the server, and nothing reads the clock or randomness.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const adaptersDirectory = join(root, 'runtime', 'adapters');

const FORBIDDEN_MODULES = /^(node:)?(http|https|http2|net|tls|dns|dgram|fs|fs\/promises|child_process|worker_threads|cluster)$|^undici(\/|$)/;
const FORBIDDEN_PATHS = /(^|\/)(transport|server)\//;
const FORBIDDEN_CALLS: readonly [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew\s+Date\s*\(/, 'new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bprocess\.(env|hrtime)\b/, 'process.env/hrtime'],
  [/\b(setTimeout|setInterval|setImmediate)\s*\(/, 'timers'],
  [/\bcrypto\.(randomUUID|randomBytes|getRandomValues)\s*\(/, 'random ids'],
];

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Comments may mention the forbidden calls (to explain their absence); code may not. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function importSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/\b(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g)) specifiers.push(match[1] ?? '');
  for (const match of source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1] ?? '');
  for (const match of source.matchAll(/\bimport\s+['"]([^'"]+)['"]/g)) specifiers.push(match[1] ?? '');
  for (const match of source.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1] ?? '');
  return specifiers;
}

function violations(source: string): string[] {
  const code = stripComments(source);
  const found: string[] = [];
  for (const specifier of importSpecifiers(code)) {
    if (FORBIDDEN_MODULES.test(specifier)) found.push(`imports ${specifier}`);
    if (FORBIDDEN_PATHS.test(specifier)) found.push(`imports ${specifier}`);
  }
  for (const [pattern, name] of FORBIDDEN_CALLS) if (pattern.test(code)) found.push(`uses ${name}`);
  return found;
}

test('the checker catches each kind of impurity (so a clean run means something)', () => {
  assert.deepEqual(violations("import { request } from 'undici';"), ['imports undici']);
  assert.deepEqual(violations("import { readFileSync } from 'node:fs';"), ['imports node:fs']);
  assert.deepEqual(violations("import type { Transport } from '../transport/transport.js';"), ['imports ../transport/transport.js']);
  assert.deepEqual(violations("const m = await import('node:net');"), ['imports node:net']);
  assert.deepEqual(violations('const id = `x${Math.random()}`;'), ['uses Math.random()']);
  assert.deepEqual(violations('const at = Date.now();'), ['uses Date.now()']);
  assert.deepEqual(violations('const at = new Date ();'), ['uses new Date()']);
  assert.deepEqual(violations('// Date.now() is never used here\nconst url = "https://example.com";'), []);
  assert.deepEqual(violations('const at = Date.parse(header);'), []);
});

test('runtime/adapters/** does no I/O and reads no clock or randomness', () => {
  const files = walk(adaptersDirectory);
  assert.ok(files.length > 20, 'the adapters are found');
  const report = files.flatMap((file) => violations(readFileSync(file, 'utf8')).map((problem) => `${relative(root, file)}: ${problem}`));
  assert.deepEqual(report, []);
});

/** The engine must not know how it is shown or driven (issue 5): no UI, no CLI, no server. */
const ENGINE_FORBIDDEN_PATHS = /^(ink|react|react-reconciler|fastify|kleur)(\/|$)|(^|\/)(cli|server)\//;
/** The transport's interface: the engine calls whatever transport it is given (undici for serve, fixtures for simulate). */
const TRANSPORT_INTERFACE = '../transport/transport.js';

test('runtime/routing/** (the one engine of serve, simulate and dry-run) does no I/O, reads no clock or randomness, and imports no UI, CLI or server', () => {
  const files = walk(join(root, 'runtime', 'routing'));
  assert.ok(files.length > 10, 'the engine is found');
  assert.ok(ENGINE_FORBIDDEN_PATHS.test('ink') && ENGINE_FORBIDDEN_PATHS.test('../../cli/io.js') && !ENGINE_FORBIDDEN_PATHS.test('./engine.js'), 'the UI check is not vacuous');
  const report = files.flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    const ui = importSpecifiers(stripComments(source)).filter((specifier) => ENGINE_FORBIDDEN_PATHS.test(specifier)).map((specifier) => `imports ${specifier}`);
    return [...violations(source), ...ui]
      .filter((problem) => problem !== `imports ${TRANSPORT_INTERFACE}`)
      .map((problem) => `${relative(root, file)}: ${problem}`);
  });
  assert.deepEqual(report, []);
});
