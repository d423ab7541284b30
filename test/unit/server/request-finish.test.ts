/** The end of a chat request: its audit record follows the config the request ran on, not the one live at its end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditInput } from '../../../runtime/audit/record.js';
import { realClock } from '../../../runtime/clock.js';
import { createGatewayMetrics } from '../../../runtime/metrics.js';
import { createMemoryLimiter } from '../../../runtime/quota/memory-limiter.js';
import { buildApp } from '../../../runtime/server/build-app.js';
import type { GatewayDeps } from '../../../runtime/server/gateway-deps.js';
import { createConfigHolder, createLiveConfig, type LiveConfig } from '../../../runtime/server/live-config.js';
import { createRequestValidator } from '../../../runtime/server/request-validator.js';
import { fakeEngine, liveConfig, MANIFEST } from './app-harness.js';

function withCapture(version: string, prompt: 'none' | 'full'): LiveConfig {
  const base = liveConfig(`${MANIFEST}audit: { prompt: ${prompt} }\n`);
  return createLiveConfig(base.manifest, version, base.document, base.loadedAt);
}

test('a reload while a request runs does not change the capture policy of its audit record', async () => {
  const started = withCapture('v-none', 'none');
  const reloaded = withCapture('v-full', 'full');
  const config = createConfigHolder(started);
  const records: { input: AuditInput; live: LiveConfig }[] = [];
  const engine = fakeEngine();
  const answer = engine.run.bind(engine);
  const deps: GatewayDeps = {
    config,
    // The reload lands while the engine runs the request.
    engine: { run: async (input) => { config.swap(reloaded); return answer(input); } },
    validateRequest: createRequestValidator(),
    quota: createMemoryLimiter(realClock),
    metrics: createGatewayMetrics({ defaultMetrics: false }),
    clock: realClock,
    audit: (input, live) => { records.push({ input, live }); },
  };
  const app = buildApp(deps, { bodyLimit: 1024 * 1024, logger: false, draining: () => false });
  const response = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
  await app.close();
  assert.equal(response.statusCode, 200);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.input.manifestVersion, 'v-none');
  assert.equal(records[0]?.live.version, 'v-none', 'the record is built with the policy of the config the request ran on');
  assert.equal(records[0]?.live.manifest.audit.prompt, 'none');
  // The next request runs on the reloaded config, and its record follows it.
  const next = buildApp(deps, { bodyLimit: 1024 * 1024, logger: false, draining: () => false });
  await next.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
  await next.close();
  assert.equal(records[1]?.live.version, 'v-full');
});

test('two reloads, one before the handler and one while it runs: the request and its record keep the config its headers arrived under', async () => {
  const first = withCapture('v-1', 'none');
  const second = withCapture('v-2', 'none');
  const third = withCapture('v-3', 'full');
  const config = createConfigHolder(first);
  const records: LiveConfig[] = [];
  const engine = fakeEngine();
  const answer = engine.run.bind(engine);
  const deps: GatewayDeps = {
    config,
    engine: { run: async (input) => { config.swap(third); return answer(input); } },
    validateRequest: createRequestValidator(),
    quota: createMemoryLimiter(realClock),
    metrics: createGatewayMetrics({ defaultMetrics: false }),
    clock: realClock,
    audit: (_input, live) => { records.push(live); },
  };
  const app = buildApp(deps, { bodyLimit: 1024 * 1024, logger: false, draining: () => false });
  // After onRequest took its snapshot (v-1), before the handler starts: as a reload during the upload.
  app.addHook('preHandler', (_request, _reply, done) => { config.swap(second); done(); });
  await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
  await app.close();
  assert.deepEqual(records.map((live) => live.version), ['v-1']);
});
