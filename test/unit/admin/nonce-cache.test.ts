/** The replay window in memory: 601 s of memory per nonce, per key id, bounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryNonceCache, NONCE_TTL_MS } from '../../../runtime/admin/nonce-cache.js';
import { isAigwError } from '../../../runtime/errors.js';
import { createManualClock } from '../../helpers/virtual-clock.js';

test('a nonce is refused for 601 s after first use and accepted again after that', async () => {
  const clock = createManualClock();
  const cache = createMemoryNonceCache(clock);
  assert.equal(NONCE_TTL_MS, 601_000);
  assert.equal(await cache.claim('k', 'nonce-aaaaaaaaaaaa'), true);
  await clock.advance(600_999);
  assert.equal(await cache.claim('k', 'nonce-aaaaaaaaaaaa'), false);
  await clock.advance(1);
  assert.equal(await cache.claim('k', 'nonce-aaaaaaaaaaaa'), true);
});

test('the same nonce under two key ids is two entries', async () => {
  const cache = createMemoryNonceCache(createManualClock());
  assert.equal(await cache.claim('a', 'nonce-bbbbbbbbbbbb'), true);
  assert.equal(await cache.claim('b', 'nonce-bbbbbbbbbbbb'), true);
});

test('memory is bounded: a full window refuses with ADMIN_THROTTLED instead of forgetting nonces, and frees up as entries expire', async () => {
  const clock = createManualClock();
  const cache = createMemoryNonceCache(clock, 3);
  for (const nonce of ['n1', 'n2', 'n3']) assert.equal(await cache.claim('k', nonce), true);
  await assert.rejects(cache.claim('k', 'n4'), (error: unknown) => isAigwError(error) && error.code === 'AIGW_E_ADMIN_THROTTLED' && error.status === 429);
  // A replay is still recognised while full.
  assert.equal(await cache.claim('k', 'n1'), false);
  await clock.advance(NONCE_TTL_MS);
  assert.equal(await cache.claim('k', 'n4'), true);
});

test('layered window: a nonce the shared store forgot (Redis restarted without persistence) is still a replay on the replica that saw it', async () => {
  const { createLayeredNonceCache } = await import('../../../runtime/admin/nonce-cache.js');
  const clock = createManualClock();
  let shared = createMemoryNonceCache(clock);
  const forgetful = { claim: (keyId: string, nonce: string) => shared.claim(keyId, nonce) };
  const layered = createLayeredNonceCache(createMemoryNonceCache(clock), forgetful);
  assert.equal(await layered.claim('ops', 'nonce-aaaaaaaaaaaaaaaa'), true);
  shared = createMemoryNonceCache(clock); // the restart: the shared window is empty again
  assert.equal(await layered.claim('ops', 'nonce-aaaaaaaaaaaaaaaa'), false);
  assert.equal(await layered.claim('ops', 'nonce-bbbbbbbbbbbbbbbb'), true);
  // A nonce the shared store refuses (seen by another replica) leaves nothing behind locally.
  const otherReplica = createLayeredNonceCache(createMemoryNonceCache(clock), forgetful);
  assert.equal(await otherReplica.claim('ops', 'nonce-bbbbbbbbbbbbbbbb'), false);
});
