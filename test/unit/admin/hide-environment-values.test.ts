/**
 * A dry run or a 422 never echoes the gateway's environment: a `${VAR}` written into a non-secret
 * field (a model name, a fallback) comes back as the reference, not as the value the gateway holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideInChangeSet } from '../../../runtime/admin/hide-environment-values.js';
import { environmentValueHider } from '../../../runtime/manifest/hide-environment-values.js';
import type { ChangeSet } from '../../../runtime/manifest/changeset.js';
import { adminFixture, MANIFEST_A } from './admin-harness.js';

const SECRET = 'sk-gateway-only-0123456789';
const ENV = { OPENAI_API_KEY: SECRET, REGION: 'eu' };

const LEAKY = `ai_routes:
  - name: chat-mid-tier
    match: { model: "gpt-4o-mini" }
    targets:
      - provider: openai
        model: "leak-\${OPENAI_API_KEY}"
`;

const INVALID_LEAKY = `ai_routes:
  - name: chat-mid-tier
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
    fallback: "\${OPENAI_API_KEY}"
`;

test('a dry run shows ${VAR} in non-secret fields, never the gateway\'s value', async (t) => {
  const admin = await adminFixture(t, { plane: { manifest: { text: MANIFEST_A, file: 'routes.yaml' }, env: ENV } });
  const response = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: LEAKY });
  assert.equal(response.statusCode, 200);
  assert.ok(!response.body.includes(SECRET), response.body);
  const route = response.json().changeSet.routes[0];
  assert.ok(route.targets.some((target: { target: string }) => target.target === 'openai/leak-${OPENAI_API_KEY}'), JSON.stringify(route));
});

test('an applied reload\'s ChangeSet hides the value too', async (t) => {
  const admin = await adminFixture(t, { plane: { manifest: { text: MANIFEST_A, file: 'routes.yaml' }, env: ENV } });
  const response = await admin.send({ method: 'POST', url: '/admin/reload', body: LEAKY });
  assert.equal(response.statusCode, 200);
  assert.ok(!response.body.includes(SECRET), response.body);
  // The live config does use the value: only the answer hides it.
  assert.equal(admin.plane.holder.current().manifest.routes[0]?.targets[0]?.model, `leak-${SECRET}`);
});

test('a 422 quotes the reference where a lint message would quote the value', async (t) => {
  const admin = await adminFixture(t, { plane: { manifest: { text: MANIFEST_A, file: 'routes.yaml' }, env: ENV } });
  const response = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: INVALID_LEAKY });
  assert.equal(response.statusCode, 422);
  assert.ok(!response.body.includes(SECRET), response.body);
  const messages = response.json().validation.diagnostics.map((diagnostic: { message: string }) => diagnostic.message);
  assert.ok(messages.some((message: string) => message.includes('${OPENAI_API_KEY}')), messages.join('\n'));
});

test('the hider replaces whole values, longest first, and leaves defaults, tiny values and field names alone', () => {
  const hide = environmentValueHider([{ a: '${LONG}', b: ['${SHORT}', '${UNSET:-default-text}', '${PORT}'] }], { LONG: 'abcdef', SHORT: 'abcd', UNSET: '', PORT: '80' });
  assert.equal(hide('x-abcdef-abcd-default-text:80'), 'x-${LONG}-${SHORT}-default-text:80');
  const changeSet: ChangeSet = {
    changed: true,
    routes: [{ name: 'r-abcd', kind: 'changed', fields: [{ field: 'abcd', before: 'abcd', after: ['abcdef'] }], targets: [], shares: [{ target: 'p/abcd', before: 1, after: 2 }] }],
    providers: [],
    credentials: [],
    audit: [],
  };
  assert.deepEqual(hideInChangeSet(changeSet, hide).routes[0], {
    name: 'r-${SHORT}', kind: 'changed', fields: [{ field: 'abcd', before: '${SHORT}', after: ['${LONG}'] }], targets: [], shares: [{ target: 'p/${SHORT}', before: 1, after: 2 }],
  });
});

test('values in the forms messages and change sets show them are hidden too: JSON-escaped, without a trailing slash, with a masked URL password, a digest prefix', async (t) => {
  const env = {
    SAJSON: '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n"}',
    QPASS: 'Pa"ss\\w0rd-secret-7777',
    SLASHURL: 'http://internal-only-host.corp:9999/private/',
    DBURL: 'http://svcuser:db-password-1@db-internal.corp:9200/',
    APP_KEY: 'ab'.repeat(32),
  };
  const admin = await adminFixture(t, { plane: { manifest: { text: MANIFEST_A, file: 'routes.yaml' }, env } });
  const leaks = (body: string): string[] => [
    'MIIEvQIBADAN', 'w0rd-secret-7777', 'internal-only-host', 'db-internal.corp', 'svcuser', 'ababababab',
  ].filter((fragment) => body.includes(fragment));
  // A 422 whose messages quote the values with JSON.stringify (fallback format, index name, redact pattern).
  const invalid = `ai_routes:
  - name: a
    match: { model: "a" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
    fallback: "\${SAJSON}"
  - name: b
    match: { model: "b" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
    fallback: "\${QPASS}"
`;
  const rejected = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: invalid });
  assert.equal(rejected.statusCode, 422);
  assert.deepEqual(leaks(rejected.body), [], rejected.body);
  // A change set showing them inside canonical JSON (defaults), normalised (a base_url) or masked (an Elasticsearch URL), and a key digest.
  const valid = `providers:
  ollama: { base_url: "\${SLASHURL}", defaults: { x: "\${SAJSON}", y: "\${QPASS}" } }
credentials:
  - { id: app, key_sha256: "\${APP_KEY}" }
ai_routes:
  - name: a
    match: { model: "a" }
    targets: [ { provider: ollama, model: llama-3.1 } ]
audit:
  sinks: [ { type: elasticsearch, url: "\${DBURL}", index: aigw-audit } ]
`;
  const dryRun = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: valid });
  assert.equal(dryRun.statusCode, 200, dryRun.body);
  assert.deepEqual(leaks(dryRun.body), [], dryRun.body);
});
