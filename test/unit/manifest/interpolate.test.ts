import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecretPointer } from '../../../runtime/manifest/document.js';
import { hasReference, parseTemplate } from '../../../runtime/manifest/interpolate.js';

test('templates split into text, references with optional defaults, and malformed references', () => {
  assert.deepEqual(parseTemplate('plain'), [{ kind: 'text', text: 'plain' }]);
  assert.deepEqual(parseTemplate('${A}'), [{ kind: 'reference', name: 'A', source: '${A}' }]);
  assert.deepEqual(parseTemplate('x-${B_2:-fall back}-y'), [
    { kind: 'text', text: 'x-' }, { kind: 'reference', name: 'B_2', fallback: 'fall back', source: '${B_2:-fall back}' }, { kind: 'text', text: '-y' },
  ]);
  assert.deepEqual(parseTemplate('${A:-}'), [{ kind: 'reference', name: 'A', fallback: '', source: '${A:-}' }]);
  assert.deepEqual(parseTemplate('cost $5 and $${NOT_A_VAR}'), [{ kind: 'text', text: 'cost $5 and ${NOT_A_VAR}' }]);
  assert.deepEqual(parseTemplate('${1BAD}'), [{ kind: 'malformed', source: '${1BAD}' }]);
  assert.deepEqual(parseTemplate('${OPEN'), [{ kind: 'malformed', source: '${OPEN' }]);
});

test('hasReference sees references and malformed ones, not escaped ones', () => {
  assert.equal(hasReference('${A}'), true);
  assert.equal(hasReference('${bad name}'), true);
  assert.equal(hasReference('$${A}'), false);
  assert.equal(hasReference('sk-123'), false);
});

test('secret fields are the provider credentials and the Elasticsearch sink secrets only', () => {
  for (const pointer of ['/providers/openai/api_key', '/providers/team-x/secret_access_key', '/providers/vertex-ai/service_account', '/audit/sinks/1/password']) {
    assert.equal(isSecretPointer(pointer), true, pointer);
  }
  for (const pointer of ['/providers/openai/base_url', '/providers/openai/defaults/api_key', '/audit/sinks/0/url', '/ai_routes/0/name']) {
    assert.equal(isSecretPointer(pointer), false, pointer);
  }
});
