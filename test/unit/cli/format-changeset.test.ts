/** Golden rendering of a ChangeSet: routes, traffic shares, targets, providers, credentials, audit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderChangeSetText } from '../../../cli/format/changeset-text.js';
import { computeChangeSet } from '../../../runtime/manifest/changeset.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import type { Manifest } from '../../../runtime/manifest/types.js';
import { assertGolden } from '../../helpers/golden.js';

function manifest(text: string): Manifest {
  const result = loadManifest({ text, file: 'x.yaml' }, { env: {}, allowMissingEnv: true });
  assert.ok(result.manifest, JSON.stringify(result.diagnostics));
  return result.manifest;
}

const before = manifest(`
providers:
  anthropic: { api_key: "\${ANTHROPIC_API_KEY}" }
credentials:
  - { id: app, key_sha256: "${'a'.repeat(64)}", quota: { requests_per_minute: 60 } }
ai_routes:
  - name: chat-mid-tier
    match: { model: gpt-4o-mini }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 60, max_latency_ms: 800 }
      - { provider: openai, model: gpt-4o-mini, weight: 40, max_latency_ms: 800 }
    fallback: ollama/llama-3.1
  - name: retired
    match: { model: old }
    targets: [{ provider: openai, model: gpt-3.5-turbo }]
`);

const after = manifest(`
providers:
  anthropic: { api_key: "sk-ant-pasted-by-mistake" }
credentials:
  - { id: app, key_sha256: "${'a'.repeat(64)}", quota: { requests_per_minute: 120 } }
ai_routes:
  - name: chat-mid-tier
    match: { model: gpt-4o-mini }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 30, max_latency_ms: 1200 }
      - { provider: openai, model: gpt-4o-mini, weight: 60, max_latency_ms: 800 }
      - { provider: gemini, model: gemini-2.0-flash, weight: 10 }
    fallback: ollama/llama-3.1
    timeout_ms: 30000
  - name: embeddings
    match: { model: text-embedding-3-small }
    targets: [{ provider: openai, model: text-embedding-3-small }]
audit:
  prompt: none
`);

test('a change set renders route by route with traffic shares before → after', () => {
  const text = renderChangeSetText(computeChangeSet(before, after), { color: false, before: 'old.yaml', after: 'new.yaml' });
  assertGolden(import.meta.url, 'changeset.txt', text);
  assert.match(text, /^ {6}anthropic\/claude-haiku-4-5 {2}60% → 30%$/m);
  assert.match(text, /^ {6}gemini\/gemini-2\.0-flash {5}0% → 10%$/m);
  assert.match(text, /^~ provider anthropic\n {4}api_key: \$\{ANTHROPIC_API_KEY\} → \*\*\*\*$/m);
  assert.equal(text.includes('sk-ant-pasted'), false, 'the literal secret is masked');
  assert.match(text, /^- route retired$/m);
  assert.match(text, /^\+ route embeddings$/m);
});

test('no changes says so', () => {
  const text = renderChangeSetText(computeChangeSet(before, before), { color: false, before: 'a', after: 'b' });
  assert.equal(text, '--- a\n+++ b\nno changes\n');
});

test('colour marks additions and removals only when asked', () => {
  const changes = computeChangeSet(before, after);
  assert.doesNotMatch(renderChangeSetText(changes, { color: false, before: 'a', after: 'b' }), /\u001b\[/);
  assert.match(renderChangeSetText(changes, { color: true, before: 'a', after: 'b' }), /\u001b\[32m\+\u001b\[39m route/);
});
