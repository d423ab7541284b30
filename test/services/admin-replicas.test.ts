/**
 * Many replicas on one real Redis (scripts/services.sh): three admin planes in-process, each with its
 * own Redis connections, admin app and listening port, driven by the real CLI. The poll safety net is
 * set to an hour, so only pub/sub can carry a change between replicas.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { ConfigPlane } from '../../runtime/admin/config-plane.js';
import { signAdminRequest } from '../../runtime/admin/sign-request.js';
import { realClock } from '../../runtime/clock.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { createTestIo } from '../helpers/io.js';
import { requireService } from '../helpers/services.js';
import { ed25519Key, listenGateway, MANIFEST_A, MANIFEST_B, manifestNumbered, recordingLogger, startPlane, writeKeyFile, type ListeningGateway } from '../unit/admin/admin-harness.js';

const versionOf = (text: string) => manifestVersion(loadManifest({ text, file: 'x' }, { env: {} }).document);
const HOUR = 3_600_000;

interface Cluster {
  readonly url: string;
  readonly prefix: string;
  readonly key: ReturnType<typeof ed25519Key>;
  readonly flags: string[];
  readonly directory: string;
  readonly replicas: ListeningGateway[];
  start(replicaId: string, manifest?: string): Promise<ListeningGateway>;
}

async function cluster(t: TestContext, url: string, count: number): Promise<Cluster> {
  const prefix = `aigw:{test-${randomUUID()}}:`;
  const cleanup = new Redis(url);
  t.after(async () => {
    const keys = await cleanup.keys(`${prefix}*`);
    if (keys.length > 0) await cleanup.del(...keys);
    await cleanup.quit();
  });
  const key = ed25519Key();
  const { flags, directory } = writeKeyFile(t, key);
  const replicas: ListeningGateway[] = [];
  const start = (replicaId: string, manifest = MANIFEST_A) => listenGateway(t, {
    keys: [key], replicaId,
    plane: { manifest: { text: manifest, file: 'routes.yaml' }, redisUrl: url, storePrefix: prefix, pollIntervalMs: HOUR, clock: realClock },
  });
  // One after the other: the first seeds the store, the others find it.
  for (let index = 0; index < count; index += 1) replicas.push(await start(`replica-${index + 1}`));
  return { url, prefix, key, flags, directory, replicas, start };
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 10) {
    if (condition()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

const versions = (planes: readonly { plane: ConfigPlane }[]) => planes.map((replica) => replica.plane.holder.current().version);

test('apply to one replica → all three swap to the new version; rollback likewise; status shows no drift', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 3);
  const [first, second, third] = fleet.replicas;
  assert.ok(first !== undefined && second !== undefined && third !== undefined);
  assert.deepEqual(versions(fleet.replicas), Array(3).fill(versionOf(MANIFEST_A)));

  const file = join(fleet.directory, 'routes.yaml');
  writeFileSync(file, MANIFEST_B);
  const apply = createTestIo();
  assert.equal(await main(['apply', file, '--gateway', second.url, '--yes', '--if-match', 'auto', ...fleet.flags], apply), ExitCode.Ok, apply.err());
  const appliedAt = performance.now();
  await eventually(() => versions(fleet.replicas).every((version) => version === versionOf(MANIFEST_B)), 'every replica on B');
  t.diagnostic(`every replica swapped ${Math.round(performance.now() - appliedAt)} ms after apply returned (pub/sub only; the poll is 1 h)`);
  for (const replica of [first, third]) assert.equal(replica.plane.applier.lastReload()?.origin, 'store');

  const status = createTestIo();
  const gateways = fleet.replicas.flatMap((replica) => ['--gateway', replica.url]);
  assert.equal(await main(['status', ...gateways, '--format', 'json', ...fleet.flags], status), ExitCode.Ok, status.out());
  const report = JSON.parse(status.out());
  assert.equal(report.drift, false);
  assert.deepEqual(report.gateways.map((row: { replicaId: string; store: string }) => `${row.replicaId}/${row.store}`), ['replica-1/redis', 'replica-2/redis', 'replica-3/redis']);

  const rollback = createTestIo();
  assert.equal(await main(['rollback', '--gateway', third.url, ...fleet.flags], rollback), ExitCode.Ok, rollback.err());
  await eventually(() => versions(fleet.replicas).every((version) => version === versionOf(MANIFEST_A)), 'every replica back on A');
  const after = createTestIo();
  assert.equal(await main(['status', ...gateways, ...fleet.flags], after), ExitCode.Ok, after.out());
  assert.match(after.out(), /in sync: 3 of 3 gateways/);
});

test('apply to every replica URL at once: the first applies, the others report the version already live through the store', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 3);
  const file = join(fleet.directory, 'routes.yaml');
  writeFileSync(file, MANIFEST_B);
  const io = createTestIo();
  const gateways = fleet.replicas.flatMap((replica) => ['--gateway', replica.url]);
  assert.equal(await main(['apply', file, ...gateways, '--yes', '--if-match', 'auto', '--format', 'json', ...fleet.flags], io), ExitCode.Ok, io.err());
  const results = JSON.parse(io.out()).gateways.map((row: { result: string }) => row.result);
  assert.equal(results[0], 'applied');
  for (const result of results.slice(1)) assert.ok(result === 'synced' || result === 'applied', result);
  await eventually(() => versions(fleet.replicas).every((version) => version === versionOf(MANIFEST_B)), 'every replica on B');
});

test('a replica that starts later loads the stored version, not its own file', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 1);
  await fleet.replicas[0]?.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const late = await fleet.start('replica-late', manifestNumbered(7));
  assert.equal(late.plane.holder.current().version, versionOf(MANIFEST_B));
});

test('compare-and-set across replicas: two reloads with the same If-Match on two replicas → one 200, one 412', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 2);
  const live = versionOf(MANIFEST_A);
  const outcomes = await Promise.all(fleet.replicas.map((replica, index) =>
    replica.plane.applier.apply({ text: manifestNumbered(index), file: 'x', origin: 'reload', ifMatch: live })));
  assert.deepEqual(outcomes.map((outcome) => outcome.type).sort(), ['applied', 'conflict']);
  const winner = outcomes.findIndex((outcome) => outcome.type === 'applied');
  await eventually(() => versions(fleet.replicas).every((version) => version === versionOf(manifestNumbered(winner))), 'both replicas on the winner');
});

test('replay across replicas: a request accepted by one replica is refused by another (shared nonce window)', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 2);
  const headers = signAdminRequest({ method: 'GET', pathAndQuery: '/admin/status', timestamp: Math.floor(Date.now() / 1000) }, fleet.key);
  const [first, second] = fleet.replicas;
  assert.equal((await first?.app.inject({ method: 'GET', url: '/admin/status', headers }))?.statusCode, 200);
  const replayed = await second?.app.inject({ method: 'GET', url: '/admin/status', headers });
  assert.equal(replayed?.statusCode, 401);
  assert.equal(replayed?.json().error.code, 'signature_replayed');
});

test('a stored manifest that is invalid on a replica is logged and ignored; the replica keeps its version', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const prefix = `aigw:{test-${randomUUID()}}:`;
  const cleanup = new Redis(url);
  t.after(async () => {
    const keys = await cleanup.keys(`${prefix}*`);
    if (keys.length > 0) await cleanup.del(...keys);
    await cleanup.quit();
  });
  const needsVariable = MANIFEST_B.replace('ai_routes:', 'providers:\n  openai: { api_key: "${ONLY_ON_WRITER}" }\nai_routes:');
  const writer = await startPlane(t, { manifest: { text: MANIFEST_A, file: 'a' }, env: { ONLY_ON_WRITER: 'x' }, redisUrl: url, storePrefix: prefix, pollIntervalMs: HOUR, clock: realClock });
  const logger = recordingLogger();
  const reader = await startPlane(t, { manifest: { text: MANIFEST_A, file: 'a' }, env: {}, redisUrl: url, storePrefix: prefix, pollIntervalMs: HOUR, clock: realClock, logger });
  assert.equal((await writer.applier.apply({ text: needsVariable, file: 'b', origin: 'reload' })).type, 'applied');
  await eventually(() => reader.applier.lastReload()?.outcome === 'invalid', 'the reader to refuse the stored manifest');
  assert.equal(reader.holder.current().version, versionOf(MANIFEST_A));
  assert.ok(logger.entries.some((entry) => entry.level === 'error' && /stored manifest is invalid here/.test(entry.message)));
});

test('Redis keeps the last 10 versions: the manifests hash and history list are trimmed together', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const fleet = await cluster(t, url, 1);
  const plane = fleet.replicas[0]?.plane;
  assert.ok(plane !== undefined);
  for (let index = 0; index < 12; index += 1) await plane.applier.apply({ text: manifestNumbered(index), file: 'x', origin: 'reload' });
  const redis = new Redis(url);
  t.after(() => redis.quit());
  assert.equal(await redis.llen(`${fleet.prefix}history`), 10);
  assert.equal(await redis.hlen(`${fleet.prefix}manifests`), 10);
  assert.equal(await redis.get(`${fleet.prefix}current`), versionOf(manifestNumbered(11)));
  assert.deepEqual((await plane.store.history()).map((entry) => entry.version), Array.from({ length: 10 }, (_, index) => versionOf(manifestNumbered(index + 2))));
});
