/**
 * A Redis that does not answer (nothing listens on the port): store operations and the shared replay
 * window fail fast with 503 AIGW_E_ADMIN_STORE_UNAVAILABLE, the replica still starts from its file,
 * and a reload changes nothing. No Redis server is needed for this.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedisConfigStore } from '../../../runtime/admin/redis-config-store.js';
import { isAigwError } from '../../../runtime/errors.js';
import { realClock } from '../../../runtime/clock.js';
import { adminFixture, assertAigwError, MANIFEST_B, recordingLogger, signedHeaders } from './admin-harness.js';

const NOWHERE = 'redis://127.0.0.1:1';
const unavailable = (error: unknown) => isAigwError(error) && error.code === 'AIGW_E_ADMIN_STORE_UNAVAILABLE' && error.status === 503;

test('reads, commits and nonce claims fail with ADMIN_STORE_UNAVAILABLE, within the budget', async (t) => {
  const store = await createRedisConfigStore({ url: NOWHERE, clock: realClock, logger: recordingLogger(), timeoutMs: 150 });
  t.after(() => store.close());
  const started = performance.now();
  await assert.rejects(store.latest(), unavailable);
  await assert.rejects(store.commit({ version: 'a'.repeat(64), text: 'x', storedAt: 0 }, null), unavailable);
  await assert.rejects(store.history(), unavailable);
  await assert.rejects(store.nonces.claim('k', 'nonce-0123456789abcdef'), unavailable);
  // A hang guard, not a performance figure: four operations with a 150 ms budget each.
  assert.ok(performance.now() - started < 3_000);
});

test('a replica whose Redis is down starts from its file; a reload is a 503 and changes nothing; signed reads still answer, replays still refused', async (t) => {
  const logger = recordingLogger();
  const admin = await adminFixture(t, { plane: { redisUrl: NOWHERE, storeTimeoutMs: 150, logger } });
  assert.ok(logger.entries.some((entry) => entry.level === 'warn' && /config store unavailable at startup/.test(entry.message)));
  const before = admin.plane.holder.current().version;
  // The replay window is in Redis too, and fails closed: the request is refused before the reload.
  const reload = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B });
  assertAigwError(reload, 'AIGW_E_ADMIN_STORE_UNAVAILABLE');
  assert.equal(admin.plane.holder.current().version, before);
  // Reads fall back to a local replay window, so status shows this replica during the outage.
  const status = await admin.send({ method: 'GET', url: '/admin/status' });
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().store, 'redis');
  assert.match(status.json().storeError, /did not answer/);
  assert.equal(status.json().history, null);
  const headers = signedHeaders({ method: 'GET', url: '/admin/config' }, admin.key, admin.clock);
  assert.equal((await admin.app.inject({ method: 'GET', url: '/admin/config', headers })).statusCode, 200);
  assertAigwError(await admin.app.inject({ method: 'GET', url: '/admin/config', headers }), 'AIGW_E_SIGNATURE_REPLAYED');
});
