import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeAfterAudit } from '../../../runtime/server/gateway-stores.js';

test('at shutdown the other resources close even when the audit flush fails, and the failure is still reported', async () => {
  const closed: string[] = [];
  const audit = { close: async () => { closed.push('audit'); throw new Error('spool write failed'); } };
  const closers = [async () => { closed.push('redis-quota'); }, async () => { closed.push('redis-config'); throw new Error('already closed'); }, async () => { closed.push('admin'); }];
  await assert.rejects(closeAfterAudit(audit, closers), /spool write failed/);
  assert.deepEqual(closed, ['audit', 'admin', 'redis-config', 'redis-quota']);
});
