/**
 * `serve --watch`: a ConfigMap-style symlink rotation (`..data` renamed over) is seen and applied
 * through the applier; an invalid file keeps the live config and logs its diagnostics.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { manifestVersion } from '../../../runtime/manifest/canonical.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { MANIFEST_A, MANIFEST_B, MANIFEST_INVALID, recordingLogger, startPlane } from './admin-harness.js';

const versionOf = (text: string) => manifestVersion(loadManifest({ text, file: 'x' }, { env: {} }).document);

/** A directory laid out as kubelet lays out a mounted ConfigMap. */
function configMapDirectory(t: TestContext, text: string): { directory: string; path: string; rotate(next: string): void } {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-configmap-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  let generation = 0;
  let current = '';
  const writeGeneration = (content: string): string => {
    generation += 1;
    const name = `..2025_01_01_00_00_0${generation}.000000001`;
    mkdirSync(join(directory, name));
    writeFileSync(join(directory, name, 'routes.yaml'), content);
    return name;
  };
  current = writeGeneration(text);
  symlinkSync(current, join(directory, '..data'));
  symlinkSync(join('..data', 'routes.yaml'), join(directory, 'routes.yaml'));
  return {
    directory,
    path: join(directory, 'routes.yaml'),
    rotate(next) {
      // kubelet's atomic writer: new timestamped dir, ..data_tmp symlink, rename over ..data, remove the old dir.
      const previous = current;
      current = writeGeneration(next);
      symlinkSync(current, join(directory, '..data_tmp'));
      renameSync(join(directory, '..data_tmp'), join(directory, '..data'));
      rmSync(join(directory, previous), { recursive: true, force: true });
    },
  };
}

/** A plain manifest file (no symlinks) served and watched from a fresh folder. */
async function watchPlainFile(t: TestContext, text: string): Promise<{ path: string; plane: Awaited<ReturnType<typeof startPlane>> }> {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-watch-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'routes.yaml');
  writeFileSync(path, text);
  return { path, plane: await startPlane(t, { manifest: { text, file: path }, watchPath: path, watchDebounceMs: 20 }) };
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (condition()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('a ConfigMap update (..data symlink swap) reloads; an invalid one keeps the live config and logs why', async (t) => {
  const configMap = configMapDirectory(t, MANIFEST_A);
  const logger = recordingLogger();
  const plane = await startPlane(t, { manifest: { text: MANIFEST_A, file: configMap.path }, watchPath: configMap.path, watchDebounceMs: 20, logger });
  assert.equal(plane.holder.current().version, versionOf(MANIFEST_A));
  await sleep(50);

  configMap.rotate(MANIFEST_B);
  await eventually(() => plane.holder.current().version === versionOf(MANIFEST_B), 'the swap to B');
  assert.equal(plane.applier.lastReload()?.origin, 'watch');

  configMap.rotate(MANIFEST_INVALID);
  await eventually(() => logger.entries.some((entry) => entry.level === 'error' && /invalid; keeping the live config/.test(entry.message)), 'the invalid-file log line');
  const logged = logger.entries.find((entry) => entry.level === 'error');
  assert.match(String((logged?.fields['diagnostics'] as string[])[0]), /routes\.yaml:3:5 error schema\/unknown-key/);
  assert.equal(plane.holder.current().version, versionOf(MANIFEST_B));

  configMap.rotate(MANIFEST_A);
  await eventually(() => plane.holder.current().version === versionOf(MANIFEST_A), 'the swap back to A');
});

test('a plain file rewritten in place (an editor save) reloads too', async (t) => {
  const { path, plane } = await watchPlainFile(t, MANIFEST_A);
  await sleep(50);
  writeFileSync(path, MANIFEST_B);
  await eventually(() => plane.holder.current().version === versionOf(MANIFEST_B), 'the swap to B');
});

test('an edit saved right after start, before the watcher could read the file, reloads too', async (t) => {
  const { path, plane } = await watchPlainFile(t, MANIFEST_A);
  // No pause: the watcher knows what is live from the text the gateway loaded, not from a later read.
  writeFileSync(path, MANIFEST_B);
  await eventually(() => plane.holder.current().version === versionOf(MANIFEST_B), 'the swap to B');
});

test('unrelated files changing in the directory do not reload', async (t) => {
  const configMap = configMapDirectory(t, MANIFEST_A);
  const plane = await startPlane(t, { manifest: { text: MANIFEST_A, file: configMap.path }, watchPath: configMap.path, watchDebounceMs: 20 });
  await sleep(50);
  writeFileSync(join(configMap.directory, 'other.txt'), 'x');
  await sleep(200);
  assert.equal(plane.applier.lastReload(), undefined);
});

test('an edit whose reload fails (the shared store did not answer) is tried again until it lands, with no new file event', async (t) => {
  const { watchManifest } = await import('../../../runtime/admin/watch-manifest.js');
  const directory = mkdtempSync(join(tmpdir(), 'aigw-watch-retry-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'routes.yaml');
  writeFileSync(path, MANIFEST_A);
  const texts: string[] = [];
  const logger = recordingLogger();
  const watcher = watchManifest({
    path, logger, debounceMs: 20, retryMs: 50, startText: MANIFEST_A,
    onText: async (text) => {
      texts.push(text);
      if (texts.length === 1) throw new Error('The shared config store (Redis) did not answer (commit); nothing changed.');
      return { type: 'applied', unchanged: false, version: versionOf(text), previousVersion: versionOf(MANIFEST_A) } as never;
    },
  });
  t.after(() => watcher.close());
  await sleep(50);
  writeFileSync(path, MANIFEST_B);
  await eventually(() => texts.length >= 2, 'the retry');
  assert.deepEqual(texts, [MANIFEST_B, MANIFEST_B]);
  await sleep(150);
  assert.equal(texts.length, 2, 'once applied, no more attempts');
  assert.ok(logger.entries.some((entry) => entry.level === 'error' && /trying again/.test(entry.message)));
});

test('a manifest directory removed and re-created (the watch lost with it) still reloads, by the poll', async (t) => {
  const { watchManifest } = await import('../../../runtime/admin/watch-manifest.js');
  const parent = mkdtempSync(join(tmpdir(), 'aigw-watch-dir-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const directory = join(parent, 'conf');
  mkdirSync(directory);
  const path = join(directory, 'routes.yaml');
  writeFileSync(path, MANIFEST_A);
  const texts: string[] = [];
  const watcher = watchManifest({
    path, logger: recordingLogger(), debounceMs: 20, pollMs: 100, startText: MANIFEST_A,
    onText: async (text) => {
      texts.push(text);
      return { type: 'applied', unchanged: false, version: versionOf(text), previousVersion: versionOf(MANIFEST_A) } as never;
    },
  });
  t.after(() => watcher.close());
  await sleep(50);
  renameSync(directory, join(parent, 'old'));
  mkdirSync(directory);
  writeFileSync(path, MANIFEST_B);
  await eventually(() => texts.length >= 1, 'the reload of the re-created directory');
  writeFileSync(path, MANIFEST_A);
  await eventually(() => texts.length >= 2, 'a later edit there');
  assert.deepEqual(texts, [MANIFEST_B, MANIFEST_A]);
});
