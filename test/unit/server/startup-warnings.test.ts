import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { startupWarnings } from '../../../runtime/server/start-gateway.js';

function manifest(text: string, env: Record<string, string> = {}) {
  const loaded = loadManifest({ text, file: 'routes.yaml' }, { env });
  assert.ok(loaded.manifest, JSON.stringify(loaded.diagnostics));
  return loaded.manifest;
}

const routes = `
ai_routes:
  - { name: chat, match: { model: m }, targets: [ { provider: openai, model: gpt-4o-mini }, { provider: anthropic, model: claude } ] }
`;

test('an open gateway (no credentials) is warned about loudly', () => {
  const warnings = startupWarnings(manifest(routes, { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' }), false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^OPEN GATEWAY/);
  const closed = startupWarnings(manifest(`credentials:\n  - { id: a, key_sha256: "${createHash('sha256').update('k').digest('hex')}" }\n${routes}`, { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' }), false);
  assert.deepEqual(closed, []);
});

test('each provider whose key is not set is named (never its value); demo mode needs no keys', () => {
  const warnings = startupWarnings(manifest(routes, { OPENAI_API_KEY: 'sk-present' }), false);
  assert.ok(warnings.some((warning) => /provider 'anthropic' has no credential set \(\$\{ANTHROPIC_API_KEY\}\)/.test(warning)), warnings.join('\n'));
  assert.ok(!warnings.some((warning) => warning.includes("provider 'openai'")));
  assert.ok(!warnings.join('\n').includes('sk-present'));
  assert.equal(startupWarnings(manifest(routes), true).filter((warning) => warning.startsWith('provider')).length, 0);
});

test('a provider whose key is optional (vLLM: bearer only when set) is not warned about: it serves without one', () => {
  const vllm = `
providers:
  team-vllm: { type: vllm, base_url: "http://vllm:8000/v1" }
ai_routes:
  - { name: local, match: { model: local }, targets: [ { provider: team-vllm, model: llama } ] }
`;
  const warnings = startupWarnings(manifest(vllm), false);
  assert.deepEqual(warnings.filter((warning) => warning.startsWith('provider')), []);
});
