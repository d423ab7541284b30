/**
 * `aigw serve` returns from its command after the drain and lets the event loop empty (only bin.ts may
 * exit): anything the gateway leaves running after close() delays the process exit on SIGTERM. The
 * spawned drain test measured 5 s of delay before this was pinned.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveSettings } from '../../../runtime/server/settings.js';
import { startGateway } from '../../../runtime/server/start-gateway.js';

const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

test('a closed gateway leaves no timer running', async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-close-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  await writeFile(join(directory, 'routes.yaml'), 'ai_routes:\n  - { name: chat, match: { model: m }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n');
  const before = timers();
  const gateway = await startGateway({ ...resolveSettings({}, {}, join(directory, 'routes.yaml')), port: 0, auditFile: join(directory, 'audit.jsonl') }, {}, { logger: false });
  await gateway.close();
  assert.equal(timers(), before, `timers left: ${JSON.stringify(process.getActiveResourcesInfo())}`);
});
