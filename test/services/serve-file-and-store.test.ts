/**
 * `serve` on a Redis config store, between its manifest file and the fleet's stored manifest: a
 * replica whose file went bad still starts on the stored one (a broken ConfigMap push must not
 * crash-loop every restarting pod), and with --watch a file the store never held — a ConfigMap edited
 * while no replica watched it — is applied at startup, while a version the fleet moved past is not
 * rolled back to.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { silentLogger } from '../../runtime/admin/admin-logger.js';
import { createConfigStore } from '../../runtime/admin/config-store.js';
import { realClock } from '../../runtime/clock.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { redisKeyPrefixes } from '../../runtime/server/settings.js';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { requireService } from '../helpers/services.js';
import { mockProviders, startTestGateway, startTestMock, type GatewayHandle } from '../e2e/helpers/gateway-harness.js';

const versionOf = (text: string): string => manifestVersion(loadManifest({ text, file: 'x' }, { env: {} }).document);

interface Fleet {
  start(manifest: string, watch?: boolean): Promise<GatewayHandle>;
  manifest(model: string): string;
  stored(): Promise<string | null>;
  /** Another replica's `aigw apply`, straight into the store. */
  commit(text: string): Promise<void>;
}

async function fleet(t: TestContext): Promise<Fleet | undefined> {
  const url = requireService(t, 'redis');
  if (url === undefined) return undefined;
  const redisPrefix = `test-${randomUUID()}`;
  const redis = new Redis(url);
  t.after(async () => {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const mock = await startTestMock(t);
  return {
    manifest: (model) => `${mockProviders(mock.url, { openai: 'openai' })}\nai_routes:\n  - { name: "route-${model}", match: { model: "${model}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`,
    start: (manifest, watch = false) => startTestGateway(t, manifest, { settings: { redisUrl: url, redisPrefix, watch }, env: { OPENAI_API_KEY: 'sk-test' } }),
    stored: () => redis.get(`${redisPrefix}:{config}:current`),
    async commit(text) {
      const store = await createConfigStore({ redisUrl: url, prefix: redisKeyPrefixes(redisPrefix).config, clock: realClock, logger: silentLogger });
      const committed = await store.commit({ version: versionOf(text), text, storedAt: Date.now() }, (await store.currentVersion()) ?? null);
      await store.close();
      assert.ok(committed.ok);
    },
  };
}

const serves = async (handle: GatewayHandle, model: string): Promise<boolean> =>
  handle.client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] }).then(() => true, () => false);

test('an invalid manifest file with a valid stored manifest: serve starts on the stored one and logs the file\'s diagnostics as an error', async (t) => {
  const cluster = await fleet(t);
  if (cluster === undefined) return;
  const seeding = await cluster.start(cluster.manifest('stored'));
  await seeding.gateway.close();
  const replica = await cluster.start('ai_routes:\n  - { name: broken, match: { modle: x }, targets: [] }\n');
  assert.equal(await serves(replica, 'stored'), true);
  const error = replica.logLines().find((line) => line['level'] === 50 && /manifest file is invalid/.test(String(line['msg'])));
  assert.ok(error, replica.logText());
  assert.match(JSON.stringify(error['diagnostics']), /routes\.yaml:\d+:\d+ error schema\//);
  assert.equal(error['version'], versionOf(cluster.manifest('stored')));
});

test('with --watch, a file whose version the store never held (edited while no replica watched it) is applied at startup', async (t) => {
  const cluster = await fleet(t);
  if (cluster === undefined) return;
  const first = await cluster.start(cluster.manifest('before'), true);
  await first.gateway.close();
  const edited = cluster.manifest('after');
  const replica = await cluster.start(edited, true);
  assert.equal(await serves(replica, 'after'), true);
  assert.equal(await serves(replica, 'before'), false);
  assert.equal(await cluster.stored(), versionOf(edited), 'the store, and so the fleet, follows the file');
});

for (const applies of [1, 12]) {
  test(`with --watch, the file the fleet took in is not rolled back to after ${applies} apply(s)${applies > 10 ? ' (past the 10 versions of history)' : ''}: the fleet's version serves, with a warning`, async (t) => {
    const cluster = await fleet(t);
    if (cluster === undefined) return;
    const configMap = cluster.manifest('configmap');
    const first = await cluster.start(configMap, true);
    await first.gateway.close();
    // The fleet moves on (aigw apply) while the file stays.
    for (let index = 0; index < applies; index += 1) await cluster.commit(cluster.manifest(`applied-${index}`));
    const latest = cluster.manifest(`applied-${applies - 1}`);
    const replica = await cluster.start(configMap, true);
    assert.equal(await serves(replica, `applied-${applies - 1}`), true);
    assert.equal(await serves(replica, 'configmap'), false);
    assert.equal(await cluster.stored(), versionOf(latest));
    assert.ok(replica.logLines().some((line) => line['level'] === 40 && /moved past/.test(String(line['msg']))), replica.logText());
  });
}

test('with --watch, a file the fleet took in before is not rolled back to when a pod starts with it again (an old pod restarting during a rolling update): the newer file keeps serving', async (t) => {
  const cluster = await fleet(t);
  if (cluster === undefined) return;
  const older = cluster.manifest('older');
  const newer = cluster.manifest('newer');
  const oldPod = await cluster.start(older, true);
  await oldPod.gateway.close();
  const newPod = await cluster.start(newer, true);
  assert.equal(await serves(newPod, 'newer'), true);
  // The old pod restarts, still mounting the older ConfigMap, while the new one runs.
  const restarted = await cluster.start(older, true);
  assert.equal(await serves(restarted, 'newer'), true);
  assert.equal(await cluster.stored(), versionOf(newer));
  assert.equal(await serves(newPod, 'newer'), true, 'the new pod was not swapped back');
  assert.ok(restarted.logLines().some((line) => line['level'] === 40 && /moved past/.test(String(line['msg']))), restarted.logText());
});
