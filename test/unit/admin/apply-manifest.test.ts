/**
 * The one path from text to a swapped LiveConfig: serialised operations (two reloads with the same
 * If-Match → one wins, one 412), the whole snapshot swapped at once, store conflicts, transforms.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createManifestApplier } from '../../../runtime/admin/apply-manifest.js';
import { createMemoryConfigStore, type ConfigStore } from '../../../runtime/admin/config-store.js';
import { startConfigPlane } from '../../../runtime/admin/config-plane.js';
import { silentLogger } from '../../../runtime/admin/admin-logger.js';
import { realClock } from '../../../runtime/clock.js';
import { createConfigHolder, type LiveConfig } from '../../../runtime/server/live-config.js';
import { createManualClock } from '../../helpers/virtual-clock.js';
import { largeManifest, loopTurnsDuring } from '../../helpers/large-manifest.js';
import { MANIFEST_A, MANIFEST_B, MANIFEST_INVALID, manifestNumbered, recordingLogger, startPlane } from './admin-harness.js';

test('two concurrent reloads with the same If-Match: exactly one applies, the other is a conflict', async (t) => {
  const plane = await startPlane(t);
  const live = plane.holder.current().version;
  const outcomes = await Promise.all([MANIFEST_B, manifestNumbered(1)].map((text) => plane.applier.apply({ text, file: 'x', origin: 'reload', ifMatch: live })));
  assert.deepEqual(outcomes.map((outcome) => outcome.type).sort(), ['applied', 'conflict']);
});

test('a swap replaces the whole snapshot at once; listeners see old and new; a taken snapshot never changes', async (t) => {
  const plane = await startPlane(t);
  const seen: [string, string][] = [];
  plane.holder.onSwap((next, previous) => seen.push([previous.version, next.version]));
  const inFlight = plane.holder.current();
  const routesBefore = inFlight.manifest.routes;
  await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const now = plane.holder.current();
  assert.notEqual(now, inFlight);
  assert.equal(Object.isFrozen(inFlight), true);
  assert.equal(inFlight.manifest.routes, routesBefore);
  assert.deepEqual(seen, [[inFlight.version, now.version]]);
  // Manifest, version, document and credential digests travel together in one object.
  assert.equal((now.document as { ai_routes: unknown[] }).ai_routes.length, now.manifest.routes.length);
});

test('a store that holds another version refuses the compare-and-set: conflict, nothing swapped', async () => {
  const clock = createManualClock();
  const store = createMemoryConfigStore(clock);
  const holderPlane = await startConfigPlane({ manifest: { text: MANIFEST_A, file: 'a' }, env: {}, clock, logger: silentLogger });
  assert.ok(holderPlane.ok);
  const live = holderPlane.plane.holder.current();
  // Another writer got there first.
  await store.commit({ version: 'f'.repeat(64), text: manifestNumbered(9), storedAt: 0 }, null);
  const applier = createManifestApplier({ holder: createConfigHolder(live), store, env: {}, clock, logger: silentLogger, liveText: MANIFEST_A });
  const outcome = await applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  assert.equal(outcome.type, 'conflict');
  assert.equal(outcome.type === 'conflict' ? outcome.storedVersion : '', 'f'.repeat(64));
  assert.equal(applier.holder.current(), live);
  await holderPlane.plane.close();
});

test('a store that does not answer: the reload fails loudly and nothing is swapped', async (t) => {
  const plane = await startPlane(t);
  const failing: ConfigStore = { ...plane.store, commit: async () => { throw new Error('store down'); } };
  const applier = createManifestApplier({ holder: plane.holder, store: failing, env: {}, clock: createManualClock(), logger: silentLogger, liveText: MANIFEST_A });
  const before = plane.holder.current();
  await assert.rejects(applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' }), /store down/);
  assert.equal(plane.holder.current(), before);
  assert.equal(applier.lastReload()?.outcome, 'failed');
});

test('a commit that timed out but landed (a slow store) is applied, not reported as "nothing changed"', async (t) => {
  const plane = await startPlane(t);
  const landedLate: ConfigStore = {
    ...plane.store,
    commit: async (entry, expected) => { await plane.store.commit(entry, expected); throw new Error('The shared config store (Redis) did not answer (commit); nothing changed.'); },
  };
  const applier = createManifestApplier({ holder: plane.holder, store: landedLate, env: {}, clock: createManualClock(), logger: silentLogger, liveText: MANIFEST_A });
  const outcome = await applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  assert.equal(outcome.type, 'applied');
  assert.equal(plane.holder.current().version, await plane.store.currentVersion());
  assert.equal(applier.lastReload()?.outcome, 'applied');
});

test('startConfigPlane: an invalid file with an empty store does not start and returns the diagnostics', async () => {
  const result = await startConfigPlane({ manifest: { text: MANIFEST_INVALID, file: 'routes.yaml' }, env: {}, clock: createManualClock(), logger: silentLogger });
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.invalid?.diagnostics[0]?.ruleId, 'schema/unknown-key');
});

test('transformManifest applies to every snapshot that goes live (startup and reloads)', async (t) => {
  const tag = (manifest: LiveConfig['manifest']) => ({ ...manifest, routes: manifest.routes.map((route) => ({ ...route, name: `demo-${route.name}` })) });
  const plane = await startPlane(t, { transformManifest: tag });
  assert.deepEqual(plane.holder.current().manifest.routes.map((route) => route.name), ['demo-chat-mid-tier']);
  await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  assert.deepEqual(plane.holder.current().manifest.routes.map((route) => route.name), ['demo-chat-mid-tier', 'demo-chat-large']);
});

test('after the store loses its data, a replica that lags the fleet does not seed it with its older manifest; one in step does', async () => {
  const clock = createManualClock();
  let inner = createMemoryConfigStore(clock);
  // Redis without persistence, restarted: the same store, suddenly empty.
  const store: ConfigStore = {
    kind: 'memory',
    get nonces() { return inner.nonces; },
    currentVersion: () => inner.currentVersion(),
    latest: () => inner.latest(),
    get: (version) => inner.get(version),
    history: () => inner.history(),
    watchedFileVersions: () => inner.watchedFileVersions(),
    addWatchedFileVersion: (version) => inner.addWatchedFileVersion(version),
    commit: (entry, expected) => inner.commit(entry, expected),
    onChange: (listener) => inner.onChange(listener),
    close: () => inner.close(),
  };
  const started = await startConfigPlane({ manifest: { text: MANIFEST_A, file: 'a' }, env: {}, clock, logger: silentLogger });
  assert.ok(started.ok);
  const versionA = started.plane.holder.current().version;
  const replica = (env: Record<string, string>) => createManifestApplier({ holder: createConfigHolder(started.plane.holder.current()), store, env, clock, logger: silentLogger, liveText: MANIFEST_A });
  const inStep = replica({ UPSTREAM_KEY: 'set' });
  const lagging = replica({});
  await inStep.syncFromStore();
  assert.equal(await store.currentVersion(), versionA);
  // The fleet moves to a manifest the lagging replica cannot load (a variable only it lacks).
  const needsVariable = `providers:\n  extra: { type: openai, base_url: "https://example.test/v1", api_key: "\${UPSTREAM_KEY}" }\n${MANIFEST_B}`;
  const applied = await inStep.apply({ text: needsVariable, file: 'b', origin: 'reload' });
  assert.equal(applied.type, 'applied', JSON.stringify(applied));
  await lagging.syncFromStore();
  assert.equal(lagging.holder.current().version, versionA, 'the lagging replica refused the stored version');

  inner = createMemoryConfigStore(clock);
  await lagging.syncFromStore();
  assert.equal(await store.currentVersion(), undefined, 'the lagging replica left the store empty');
  await inStep.syncFromStore();
  assert.equal(await store.currentVersion(), inStep.holder.current().version, 'the replica in step seeded it');
  await lagging.syncFromStore();
  assert.equal(lagging.holder.current().version, versionA);
  await started.plane.close();
});

test('a stale If-Match for the manifest already live is "unchanged", not a conflict: the change reached this replica through the store', async (t) => {
  const plane = await startPlane(t);
  const before = plane.holder.current().version;
  const applied = await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  assert.equal(applied.type, 'applied');
  // `aigw apply` planned against the old version, then another replica's reload arrived first.
  const again = await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload', ifMatch: before });
  assert.equal(again.type, 'applied');
  assert.equal(again.type === 'applied' && again.unchanged, true);
  assert.equal(plane.applier.lastReload()?.outcome, 'unchanged', 'status shows the replica in step, not "conflict (reload)"');
  const dryRun = await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload', ifMatch: before, dryRun: true });
  assert.equal(dryRun.type, 'dry-run');
  // Another manifest under the stale If-Match is still the conflict it was.
  const other = await plane.applier.apply({ text: manifestNumbered(3), file: 'x', origin: 'reload', ifMatch: before });
  assert.equal(other.type, 'conflict');
  assert.equal(plane.applier.lastReload()?.outcome, 'conflict');
});

test('a reload of the body a dry run just loaded reuses that load (apply sends both; 2 000 routes load in ≈ 0.4 s); another body is loaded', async (t) => {
  let loads = 0;
  const plane = await startPlane(t, { transformManifest: (manifest) => { loads += 1; return manifest; } });
  const atStart = loads;
  const dryRun = await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload', dryRun: true });
  assert.equal(dryRun.type, 'dry-run');
  const applied = await plane.applier.apply({ text: Buffer.from(MANIFEST_B), file: 'b', origin: 'reload' });
  assert.equal(applied.type, 'applied');
  assert.equal(loads - atStart, 1, 'one load for the dry run and the reload');
  assert.equal(plane.holder.current().version, dryRun.type === 'dry-run' ? dryRun.version : '');
  // Used once: the same body again, another file name, or another text is loaded afresh.
  await plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  await plane.applier.apply({ text: MANIFEST_A, file: 'a', origin: 'reload', dryRun: true });
  await plane.applier.apply({ text: MANIFEST_A, file: 'other', origin: 'reload' });
  assert.equal(loads - atStart, 4);
});

test('serve\'s config plane loads a large reload on its worker thread: the event loop keeps turning while it parses (compiled, as serve runs)', async (t) => {
  // The plane from dist/ (built by `npm test`): its default loader starts the compiled worker.
  const compiled = new URL('../../../dist/runtime/admin/config-plane.js', import.meta.url);
  const { startConfigPlane: startCompiled } = await import(compiled.href) as { startConfigPlane: typeof startConfigPlane };
  const logger = recordingLogger();
  const started = await startCompiled({ manifest: { text: largeManifest(2000, 60), file: 'routes.yaml' }, env: {}, clock: createManualClock(), logger });
  assert.ok(started.ok);
  t.after(() => started.plane.close());
  const { turns, result } = await loopTurnsDuring(() => started.plane.applier.apply({ text: largeManifest(2000, 61), file: 'routes.yaml', origin: 'reload' }));
  assert.equal(result.type, 'applied');
  assert.equal(started.plane.holder.current().manifest.routes[1999]?.targets[0]?.weight, 61);
  assert.ok(turns >= 10, `the event loop turned ${turns} times during the reload`);
  assert.deepEqual(logger.entries.filter((entry) => entry.level !== 'info'), []);
});

test('--watch: the store remembers the watched file\'s versions, at startup and after every reload from the file', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-watched-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const path = join(directory, 'routes.yaml');
  writeFileSync(path, MANIFEST_A);
  const plane = await startPlane(t, { manifest: { text: MANIFEST_A, file: path }, watchPath: path, watchDebounceMs: 10, clock: realClock });
  const versionA = plane.holder.current().version;
  assert.deepEqual(await plane.store.watchedFileVersions(), [versionA]);
  writeFileSync(path, MANIFEST_B);
  for (let waited = 0; plane.holder.current().version === versionA && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  const versionB = plane.holder.current().version;
  assert.notEqual(versionB, versionA);
  for (let waited = 0; (await plane.store.watchedFileVersions()).length < 2 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(await plane.store.watchedFileVersions(), [versionB, versionA]);
  // A reload that does not come from the file is not one of the file's versions.
  await plane.applier.apply({ text: manifestNumbered(3), file: 'applied', origin: 'reload' });
  assert.deepEqual(await plane.store.watchedFileVersions(), [versionB, versionA]);
});
