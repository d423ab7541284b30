/**
 * Circuit breakers across a reload, over real sockets: a provider re-pointed (here: given another key)
 * while its circuit is open is called again at once — re-pointing is the operator's fix for an
 * outage — while a reload that leaves it as it was keeps it skipped until the circuit half-opens.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { createLiveConfig } from '../../runtime/server/live-config.js';
import { mockProviders, startTestGateway, startTestMock } from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];

test('an open circuit is kept by a reload that changes a weight, and dropped by one that re-points its provider', async (t) => {
  const mock = await startTestMock(t);
  const manifest = (weight: number, key: string) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic' }).replace('test-openai-key', key)}
ai_routes:
  - name: chat
    match: { model: "chat" }
    targets:
      - { provider: openai, model: gpt-flaky-reload, weight: ${weight} }
      - { provider: anthropic, model: claude-steady-reload, weight: 0 }
    retry: { attempts: 0 }
`;
  const handle = await startTestGateway(t, manifest(1, 'key-one'), { overrides: { health: { threshold: 2, openMs: 60_000 } } });
  const swap = (text: string) => {
    const loaded = loadManifest({ text, file: 'routes.yaml' }, { env: {} });
    assert.ok(loaded.manifest !== undefined && loaded.document !== undefined, JSON.stringify(loaded.diagnostics));
    handle.gateway.config.swap(createLiveConfig(loaded.manifest, manifestVersion(loaded.document), loaded.document, Date.now()));
  };
  const primaryCalls = () => mock.log().filter((entry) => entry.model === 'gpt-flaky-reload').length;
  mock.setFaults(['model=gpt-flaky-reload,status=503']);
  for (let index = 0; index < 2; index += 1) await handle.client.chat.completions.create({ model: 'chat', messages });
  mock.setFaults([]);
  const opened = primaryCalls();
  await handle.client.chat.completions.create({ model: 'chat', messages });
  assert.equal(primaryCalls(), opened, 'the open circuit skips the primary');
  swap(manifest(2, 'key-one'));
  const kept = await handle.client.chat.completions.create({ model: 'chat', messages });
  assert.equal(kept.model, 'claude-steady-reload', 'a weight change keeps the circuit open');
  swap(manifest(2, 'key-two'));
  const repointed = await handle.client.chat.completions.create({ model: 'chat', messages });
  assert.equal(repointed.model, 'gpt-flaky-reload', 'the re-pointed provider is called again at once');
});
