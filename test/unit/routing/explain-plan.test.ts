import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { explainPlan, maskedAuthHeaders } from '../../../runtime/routing/explain-plan.js';
import { AigwError, ERRORS } from '../../../runtime/errors.js';
import { CHAT, createFakeAdapter, entry, manifest, route, target } from './fakes.js';

test('authentication is shown from the SecretRef masked form for every auth kind, never the value', () => {
  const key = envSecret('KEY', 'VALUE-XYZZY');
  const shown = JSON.stringify([
    maskedAuthHeaders({ kind: 'none' }),
    maskedAuthHeaders({ kind: 'bearer', secret: key }),
    maskedAuthHeaders({ kind: 'header', name: 'X-Api-Key', secret: literalSecret('VALUE-XYZZY') }),
    maskedAuthHeaders({ kind: 'sigv4', service: 'bedrock', region: 'eu-central-1', accessKeyId: envSecret('AWS_ACCESS_KEY_ID', 'AKIA-XYZZY'), secretAccessKey: envSecret('AWS_SECRET_ACCESS_KEY', 'VALUE-XYZZY'), sessionToken: envSecret('AWS_SESSION_TOKEN', 'VALUE-XYZZY') }),
    maskedAuthHeaders({ kind: 'google-service-account', keyFile: envSecret('GOOGLE_APPLICATION_CREDENTIALS', '/VALUE-XYZZY.json') }),
  ]);
  assert.doesNotMatch(shown, /XYZZY/);
  assert.deepEqual(maskedAuthHeaders({ kind: 'bearer', secret: key }), { authorization: 'Bearer ${KEY}' });
  assert.deepEqual(maskedAuthHeaders({ kind: 'header', name: 'X-Api-Key', secret: literalSecret('x') }), { 'x-api-key': '****' });
  assert.match(shown, /Credential=\$\{AWS_ACCESS_KEY_ID\}\/<date>\/eu-central-1\/bedrock\/aws4_request/);
  assert.match(shown, /"x-amz-security-token":"\$\{AWS_SESSION_TOKEN\}"/);
  assert.match(shown, /minted from \$\{GOOGLE_APPLICATION_CREDENTIALS\}/);
});

test('a candidate whose adapter throws (not built yet) is reported as not buildable, the others still shown', () => {
  const broken = { ...createFakeAdapter('bedrock'), buildRequest: () => { throw new AigwError(ERRORS.INTERNAL, "The 'bedrock' adapter is not built yet."); } };
  const explained = explainPlan(
    manifest([route([target('bedrock', 'claude', 1), target('openai', 'gpt-4o-mini', 1)])], [entry('bedrock', 'bedrock'), entry('openai', 'openai')]),
    CHAT,
    (type) => (type === 'bedrock' ? broken : createFakeAdapter(type)),
  );
  assert.ok(explained.matched);
  assert.equal(explained.candidates[0]?.buildError?.status, 500);
  assert.match(explained.candidates[0]?.buildError?.envelope.error.message ?? '', /not built yet/);
  assert.equal(explained.candidates[1]?.request?.url, 'https://openai.example/chat');
});

test('a base_url carrying user:password@ is shown with the password masked (lint rejects it; dry-run must not print it anyway)', () => {
  const explained = explainPlan(
    manifest([route([target('openai', 'gpt-4o-mini', 1)])], [entry('openai', 'openai', { baseUrl: 'https://user:hunter2-XYZZY@openai.example' })]),
    CHAT,
    (type) => createFakeAdapter(type),
  );
  assert.ok(explained.matched);
  const url = explained.candidates[0]?.request?.url ?? '';
  assert.doesNotMatch(JSON.stringify(explained), /XYZZY/);
  assert.match(url, /^https:\/\/user:\*\*\*\*@openai\.example\/chat$/);
});
