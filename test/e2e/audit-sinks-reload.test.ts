/**
 * Audit sinks are opened once, at start: a reload that changes `audit.sinks` says in the log that the
 * sinks follow at the next restart, and records keep reaching the sink the gateway started with.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, startTestGateway } from './helpers/gateway-harness.js';

const route = (model: string): string =>
  `ai_routes:\n  - { name: route-${model}, match: { model: "${model}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`;
const withSink = (model: string, auditFile: string): string => `${route(model)}audit:\n  sinks: [ { type: jsonl, path: "${auditFile}" } ]\n`;

const SINKS_WARNING = 'audit.sinks changed in the live manifest';

test('a reload that changes audit.sinks is live for routes, warns that the sinks follow at restart, and keeps the started sink', async (t) => {
  // Started without `audit.sinks`: records go to the settings' JSONL file.
  const handle = await startTestGateway(t, route('alpha'), { env: { OPENAI_API_KEY: 'sk-unused' }, settings: { watch: true } });
  const manifestFile = join(handle.directory, 'routes.yaml');
  const other = join(handle.directory, 'other.jsonl');
  const warnings = (): number => handle.logText().split(SINKS_WARNING).length - 1;
  const reloadTo = async (text: string, model: string): Promise<void> => {
    await writeFile(manifestFile, text);
    await eventually(() => (handle.gateway.config.current().manifest.routes[0]?.name === `route-${model}` ? true : undefined), 5_000, `the reload to ${model}`);
  };

  await reloadTo(route('beta'), 'beta');
  assert.equal(warnings(), 0, 'sinks unchanged: no warning');

  await reloadTo(withSink('gamma', other), 'gamma');
  assert.equal(warnings(), 1, 'sinks changed: warned');

  await reloadTo(withSink('delta', other), 'delta');
  assert.equal(warnings(), 1, 'the same changed sinks again: no second warning');

  // Records still go to the sink the gateway started with, not to the one the reload named.
  const response = await fetch(`${handle.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"nope","messages":[{"role":"user","content":"hi"}]}' });
  assert.equal(response.status, 404);
  assert.equal((await handle.auditRecords()).length, 1);
  assert.equal(await readFile(other, 'utf8').catch(() => ''), '', 'the reloaded sink is not written before a restart');
});
