/** A key_sha256 of the wrong type may be the key itself, pasted: diagnostics name its type only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';

test('a key_sha256 YAML reads as a number is reported by its type, never its value', () => {
  const text = 'credentials:\n  - id: app\n    key_sha256: 123456789012345678901234567890\nai_routes:\n  - name: chat\n    match: { model: m }\n    targets: [{ provider: openai, model: m }]\n';
  const result = loadManifest({ text, file: 'routes.yaml' }, { env: {} });
  const messages = JSON.stringify(result.diagnostics);
  assert.match(messages, /credentials\[0\]\.key_sha256 must be a string/);
  assert.doesNotMatch(messages, /1\.2345678901234568e\+29|123456789012345678901234567890/);
});
