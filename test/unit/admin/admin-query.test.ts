/**
 * Never silent (style §A.3): a query parameter the admin plane does not know is a 400 that changes
 * nothing — `?dry-run=true` (a typo) or `?dry_run=true` on rollback must not swap the config.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminFixture, assertAigwError, MANIFEST_B } from './admin-harness.js';

test('reload with an unknown query parameter (a dry-run typo) is a 400 naming it, and nothing is swapped', async (t) => {
  const admin = await adminFixture(t);
  const before = admin.plane.holder.current().version;
  for (const url of ['/admin/reload?dry-run=true', '/admin/reload?DRY_RUN=true', '/admin/reload?dry_run=true&force=1']) {
    const response = await admin.send({ method: 'POST', url, body: MANIFEST_B });
    assertAigwError(response, 'AIGW_E_INVALID_REQUEST');
    assert.match(response.json().error.message, /dry-run|DRY_RUN|force/, url);
    assert.equal(admin.plane.holder.current().version, before, url);
  }
});

test('rollback takes no query: ?dry_run=true is a 400, not a rollback', async (t) => {
  const admin = await adminFixture(t);
  await admin.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const live = admin.plane.holder.current().version;
  const response = await admin.send({ method: 'POST', url: '/admin/rollback?dry_run=true', body: '{}' });
  assertAigwError(response, 'AIGW_E_INVALID_REQUEST');
  assert.equal(admin.plane.holder.current().version, live);
});

test('the known parameter still works, and the GETs answer without a query', async (t) => {
  const admin = await adminFixture(t);
  const before = admin.plane.holder.current().version;
  const dryRun = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: MANIFEST_B });
  assert.equal(dryRun.statusCode, 200);
  assert.equal(admin.plane.holder.current().version, before);
  for (const url of ['/admin/status', '/admin/config']) assert.equal((await admin.send({ method: 'GET', url })).statusCode, 200, url);
  assertAigwError(await admin.send({ method: 'GET', url: '/admin/config?version=1' }), 'AIGW_E_INVALID_REQUEST');
});
