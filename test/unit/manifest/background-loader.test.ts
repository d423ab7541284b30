/**
 * Reloads load large manifests on a worker thread: the same results as the loader on the calling
 * thread (diagnostics, document, the manifest with its secrets), the event loop free meanwhile, a
 * broken worker falling back to the calling thread, and an idle worker stopped.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createBackgroundLoader as createLoader, LoaderClosedError, type BackgroundLoaderOptions } from '../../../runtime/manifest/background-loader.js';
import { manifestVersion } from '../../../runtime/manifest/canonical.js';
import { loadManifest, type LoadManifestResult } from '../../../runtime/manifest/load-manifest.js';
import { isSecretRef } from '../../../runtime/secrets.js';
import { largeManifest, loopTurnsDuring } from '../../helpers/large-manifest.js';
import { startTsWorker } from '../../helpers/ts-worker.js';

const WORKER_SOURCE = new URL('../../../runtime/manifest/manifest-load-worker.ts', import.meta.url);

/** The loader with its worker run from the sources. */
function createBackgroundLoader(options: BackgroundLoaderOptions = {}) {
  return createLoader({ startWorker: () => startTsWorker(WORKER_SOURCE), ...options });
}

const manifestsDirectory = new URL('../../manifests/', import.meta.url);
const env = { OPENAI_API_KEY: 'sk-openai-secret', ANTHROPIC_API_KEY: 'sk-ant-secret', AWS_ACCESS_KEY_ID: 'AKIA-secret', AWS_SECRET_ACCESS_KEY: 'aws-secret', ES_URL: 'http://127.0.0.1:9200' };

/** Data only: Maps as entries, secrets as their masked form and value, functions by name. */
function comparable(value: unknown): unknown {
  if (isSecretRef(value)) return { secret: value.masked, value: value.reveal() };
  if (value instanceof Map) return [...value.entries()].map(([key, entry]) => [key, comparable(entry)]);
  if (value instanceof Set) return [...value].map(comparable);
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return `function ${value.name}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, comparable(entry)]));
  return value;
}

function assertSameResult(actual: LoadManifestResult, expected: LoadManifestResult, name: string): void {
  assert.deepEqual(actual.diagnostics, expected.diagnostics, `${name}: diagnostics`);
  assert.deepEqual(actual.document, expected.document, `${name}: document`);
  assert.equal(actual.omitted, expected.omitted, `${name}: omitted`);
  assert.equal(actual.manifest === undefined, expected.manifest === undefined, `${name}: manifest present`);
  assert.deepEqual(comparable(actual.manifest), comparable(expected.manifest), `${name}: manifest`);
}

test('on the worker, every corpus manifest loads exactly as on the calling thread (diagnostics, document, manifest and secrets)', async (t) => {
  const loader = createBackgroundLoader({ minBytes: 0 });
  t.after(() => loader.close());
  let compared = 0;
  for (const folder of ['good', 'bad']) {
    for (const name of readdirSync(new URL(`${folder}/`, manifestsDirectory)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort()) {
      const text = readFileSync(new URL(`${folder}/${name}`, manifestsDirectory));
      for (const allowMissingEnv of [false, true]) {
        const source = { text, file: `${folder}/${name}` };
        assertSameResult(await loader.load(source, { env, allowMissingEnv }), loadManifest(source, { env, allowMissingEnv }), `${folder}/${name}`);
        compared += 1;
      }
    }
  }
  assert.ok(compared > 100, `compared ${compared} loads`);
  // The worker really ran them (it stays up until idle).
  assert.equal(loader.workerRunning(), true);
});

test('a large manifest loads on the worker while the event loop keeps turning; on the calling thread it turns not once', async (t) => {
  const text = largeManifest();
  const loader = createBackgroundLoader();
  t.after(() => loader.close());
  const inline = await loopTurnsDuring(async () => loadManifest({ text, file: 'big.yaml' }, { env }));
  const background = await loopTurnsDuring(() => loader.load({ text, file: 'big.yaml' }, { env }));
  assert.equal(inline.turns, 0);
  assert.ok(background.turns >= 10, `the event loop turned ${background.turns} times during the load`);
  assertSameResult(background.result, inline.result, 'big.yaml');
  assert.equal(background.result.manifest?.routes.length, 2000);
  // The version (a hash of the whole document) is computed on the worker too.
  assert.equal(background.result.version, manifestVersion(inline.result.document));
});

test('small manifests stay on the calling thread: no worker is started', async () => {
  const loader = createBackgroundLoader();
  const text = readFileSync(new URL('good/001-seed.yaml', manifestsDirectory), 'utf8');
  const result = await loader.load({ text, file: 'seed.yaml' }, { env });
  assert.ok(result.manifest);
  assert.equal(loader.workerRunning(), false);
});

test('a worker that cannot run: the load falls back to the calling thread, says so, and gives the same result', async (t) => {
  const failures: string[] = [];
  const loader = createBackgroundLoader({ minBytes: 0, startWorker: () => new Worker('throw new Error("worker broke")', { eval: true }), onFallback: (error) => failures.push(error.message) });
  t.after(() => loader.close());
  const text = readFileSync(new URL('good/002-full-shape.yaml', manifestsDirectory), 'utf8');
  const source = { text, file: 'full.yaml' };
  assertSameResult(await loader.load(source, { env }), loadManifest(source, { env }), 'full.yaml');
  assert.equal(failures.length, 1);
  assert.match(failures[0] ?? '', /worker broke/);
  // The next load tries a worker again (and falls back again).
  await loader.load(source, { env });
  assert.equal(failures.length, 2);
});

test('an idle worker is stopped, and the next large load starts another', async (t) => {
  const loader = createBackgroundLoader({ minBytes: 0, idleMs: 20 });
  t.after(() => loader.close());
  const text = readFileSync(new URL('good/001-seed.yaml', manifestsDirectory), 'utf8');
  await loader.load({ text, file: 'seed.yaml' }, { env });
  assert.equal(loader.workerRunning(), true);
  for (let waited = 0; waited < 5000 && loader.workerRunning(); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(loader.workerRunning(), false);
  const again = await loader.load({ text, file: 'seed.yaml' }, { env });
  assert.ok(again.manifest);
  assert.equal(loader.workerRunning(), true);
});

test('the compiled loader starts its own worker module (dist/, as `aigw serve` runs it)', async (t) => {
  // `npm test` builds dist/ first; the compiled module finds the compiled worker beside it.
  const compiled = new URL('../../../dist/runtime/manifest/background-loader.js', import.meta.url);
  const { createBackgroundLoader: createCompiled } = await import(compiled.href) as { createBackgroundLoader: typeof createLoader };
  const failures: string[] = [];
  const loader = createCompiled({ minBytes: 0, onFallback: (error) => failures.push(error.message) });
  t.after(() => loader.close());
  const text = readFileSync(new URL('good/001-seed.yaml', manifestsDirectory), 'utf8');
  const result = await loader.load({ text, file: 'seed.yaml' }, { env });
  assert.deepEqual(failures, []);
  assert.equal(loader.workerRunning(), true);
  assert.ok(result.manifest);
  assert.deepEqual(result.diagnostics, loadManifest({ text, file: 'seed.yaml' }, { env }).diagnostics);
});

test('close during a load: the load rejects (no fallback on the event loop, no warning), and later loads start no worker', async () => {
  const failures: string[] = [];
  const loader = createBackgroundLoader({ minBytes: 0, onFallback: (error) => failures.push(error.message) });
  const text = largeManifest();
  const inFlight = loader.load({ text, file: 'big.yaml' }, { env });
  // Let the worker start and take the text.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await loader.close();
  await assert.rejects(inFlight, LoaderClosedError);
  await assert.rejects(loader.load({ text: 'ai_routes: []\n', file: 'x' }, { env }), LoaderClosedError);
  assert.equal(loader.workerRunning(), false);
  assert.deepEqual(failures, []);
});
