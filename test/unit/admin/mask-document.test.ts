/** GET /admin/config masking: ${VAR} kept as written, literal values and defaults masked, inputs untouched. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskDocument, maskSecret } from '../../../runtime/admin/mask-document.js';

test('secret fields: references stay, literals and defaults become ****', () => {
  assert.equal(maskSecret('${OPENAI_API_KEY}'), '${OPENAI_API_KEY}');
  assert.equal(maskSecret('sk-live-123'), '****');
  assert.equal(maskSecret('${KEY:-sk-fallback}'), '${KEY:-****}');
  assert.equal(maskSecret('Bearer ${TOKEN}'), '****${TOKEN}');
  assert.equal(maskSecret('${BROKEN'), '****');
  assert.equal(maskSecret(42), '****');
});

test('every secret field of providers and Elasticsearch sinks is masked; URL passwords too; nothing else changes', () => {
  const document = {
    providers: {
      bedrock: { region: 'eu-central-1', access_key_id: 'AKIAEXAMPLE', secret_access_key: '${AWS_SECRET_ACCESS_KEY}', session_token: 'tok' },
      ollama: { base_url: 'http://admin:hunter2@ollama:11434' },
      vllm: { base_url: 'http://user:${VLLM_PASSWORD}@vllm:8000/v1' },
    },
    audit: { sinks: [{ type: 'elasticsearch', url: 'https://elastic:changeme@es:9200', index: 'aigw', api_key: 'literal', password: '${ES_PASSWORD}' }] },
    ai_routes: [{ name: 'r', match: { model: 'm' }, targets: [{ provider: 'ollama', model: 'llama' }] }],
  };
  const before = structuredClone(document);
  const masked = maskDocument(document) as typeof document;
  assert.deepEqual(document, before, 'the live document is not modified');
  assert.deepEqual(masked.providers.bedrock, { region: 'eu-central-1', access_key_id: '****', secret_access_key: '${AWS_SECRET_ACCESS_KEY}', session_token: '****' });
  assert.equal(masked.providers.ollama.base_url, 'http://admin:****@ollama:11434');
  assert.equal(masked.providers.vllm.base_url, 'http://user:${VLLM_PASSWORD}@vllm:8000/v1');
  assert.deepEqual(masked.audit.sinks[0], { type: 'elasticsearch', url: 'https://elastic:****@es:9200', index: 'aigw', api_key: '****', password: '${ES_PASSWORD}' });
  assert.deepEqual(masked.ai_routes, document.ai_routes);
  for (const secret of ['AKIAEXAMPLE', 'hunter2', 'changeme', 'literal']) assert.ok(!JSON.stringify(masked).includes(secret), secret);
});
