/**
 * The admin endpoints through app.inject(): config (masked), reload (dry run, If-Match, 422 with
 * validate's JSON), rollback, status, and every signature rejection leaving the live version as it was.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDiagnosticsJson } from '../../../cli/format/diagnostics-json.js';
import { AdminKeysError } from '../../../runtime/admin/admin-keys.js';
import { buildAdminApp } from '../../../runtime/admin/build-admin-app.js';
import { SIGNATURE_HEADERS } from '../../../runtime/admin/signature-format.js';
import { signAdminRequest } from '../../../runtime/admin/sign-request.js';
import { manifestVersion } from '../../../runtime/manifest/canonical.js';
import { computeChangeSet } from '../../../runtime/manifest/changeset.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { createManualClock } from '../../helpers/virtual-clock.js';
import {
  adminFixture, assertAigwError, ed25519Key, hmacKey, MANIFEST_A, MANIFEST_B, MANIFEST_INVALID, manifestNumbered, signedHeaders, startPlane,
} from './admin-harness.js';

function versionOf(text: string): string {
  const { document } = loadManifest({ text, file: 'x' }, { env: {} });
  return manifestVersion(document);
}

const VERSION_A = versionOf(MANIFEST_A);
const VERSION_B = versionOf(MANIFEST_B);

test('GET /admin/config returns the live document with its version as body field and ETag', async (t) => {
  const admin = await adminFixture(t);
  const response = await admin.send({ method: 'GET', url: '/admin/config' });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.version, VERSION_A);
  assert.equal(response.headers['etag'], `"${VERSION_A}"`);
  assert.equal(body.manifest.ai_routes[0].name, 'chat-mid-tier');
  assert.equal(body.loadedAt, new Date(admin.clock.now()).toISOString());
});

test('GET /admin/config keeps ${VAR} references and masks literal secrets', async (t) => {
  const text = `providers:
  openai: { api_key: "\${OPENAI_API_KEY}" }
  anthropic: { api_key: "sk-ant-literal-secret-123" }
ai_routes:
  - name: r
    match: { model: m }
    targets: [ { provider: openai, model: gpt-4o-mini }, { provider: anthropic, model: claude-haiku-4-5 } ]
`;
  const admin = await adminFixture(t, { plane: { manifest: { text, file: 'routes.yaml' }, env: { OPENAI_API_KEY: 'sk-openai-value-456' } } });
  const response = await admin.send({ method: 'GET', url: '/admin/config' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json().manifest.providers, { openai: { api_key: '${OPENAI_API_KEY}' }, anthropic: { api_key: '****' } });
  assert.ok(!response.body.includes('sk-ant-literal-secret-123'));
  assert.ok(!response.body.includes('sk-openai-value-456'));
});

test('POST /admin/reload swaps to the new manifest and returns both versions and the ChangeSet', async (t) => {
  const admin = await adminFixture(t);
  const before = admin.plane.holder.current();
  const response = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.previousVersion, VERSION_A);
  assert.equal(body.version, VERSION_B);
  assert.equal(body.unchanged, false);
  assert.equal(admin.plane.holder.current().version, VERSION_B);
  assert.deepEqual(body.changeSet, JSON.parse(JSON.stringify(computeChangeSet(before.manifest, admin.plane.holder.current().manifest))));
  // The snapshot a request took before the swap is untouched: in-flight requests finish on it.
  assert.equal(before.version, VERSION_A);
  assert.deepEqual(before.manifest.routes.map((route) => route.name), ['chat-mid-tier']);
  assert.deepEqual(admin.plane.holder.current().manifest.routes.map((route) => route.name), ['chat-mid-tier', 'chat-large']);
});

test('?dry_run=true validates and returns the ChangeSet vs live without swapping', async (t) => {
  const admin = await adminFixture(t);
  const response = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=true', body: MANIFEST_B });
  assert.equal(response.statusCode, 200);
  const body = response.json();
  assert.equal(body.dryRun, true);
  assert.equal(body.liveVersion, VERSION_A);
  assert.equal(body.version, VERSION_B);
  const expected = computeChangeSet(loadManifest({ text: MANIFEST_A, file: 'a' }, { env: {} }).manifest!, loadManifest({ text: MANIFEST_B, file: 'b' }, { env: {} }).manifest!);
  assert.deepEqual(body.changeSet, JSON.parse(JSON.stringify(expected)));
  assert.equal(body.changeSet.changed, true);
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});

test('If-Match with another version → 412 VERSION_CONFLICT, nothing changed; the live version → applied', async (t) => {
  const admin = await adminFixture(t);
  const conflict = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B, headers: { 'if-match': `"${VERSION_B}"` } });
  assertAigwError(conflict, 'AIGW_E_VERSION_CONFLICT');
  assert.equal(conflict.json().liveVersion, VERSION_A);
  assert.equal(admin.plane.holder.current().version, VERSION_A);
  const ok = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B, headers: { 'if-match': VERSION_A } });
  assert.equal(ok.statusCode, 200);
  assert.equal(admin.plane.holder.current().version, VERSION_B);
});

test('an invalid manifest → 422 with exactly the document aigw validate --format json prints, nothing changed', async (t) => {
  const admin = await adminFixture(t);
  const response = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_INVALID, headers: { 'x-aigw-source-name': 'routes.yaml' } });
  assertAigwError(response, 'AIGW_E_MANIFEST_INVALID');
  const body = response.json();
  const loaded = loadManifest({ text: MANIFEST_INVALID, file: 'routes.yaml' }, { env: {} });
  const expected = JSON.parse(renderDiagnosticsJson([{ file: 'routes.yaml', diagnostics: loaded.diagnostics, manifestVersion: manifestVersion(loaded.document) }]));
  assert.deepEqual(body.validation, expected);
  assert.equal(body.validation.diagnostics[0].ruleId, 'schema/unknown-key');
  assert.equal(body.validation.diagnostics[0].line, 3);
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});

test('a manifest naming an unset ${VAR} is refused: the gateway resolves variables from its own environment', async (t) => {
  const admin = await adminFixture(t);
  const text = MANIFEST_B.replace('ai_routes:', 'providers:\n  openai: { api_key: "${NOT_SET_ON_GATEWAY}" }\nai_routes:');
  const response = await admin.send({ method: 'POST', url: '/admin/reload', body: text });
  assert.equal(response.statusCode, 422);
  assert.ok(response.json().validation.diagnostics.some((diagnostic: { ruleId: string }) => diagnostic.ruleId === 'env/missing-variable'));
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});

test('POST /admin/rollback returns to the previous version by default, and a second rollback returns again', async (t) => {
  const admin = await adminFixture(t);
  assert.equal((await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B })).statusCode, 200);
  const back = await admin.send({ method: 'POST', url: '/admin/rollback', body: '{}' });
  assert.equal(back.statusCode, 200);
  assert.equal(back.json().version, VERSION_A);
  assert.equal(admin.plane.holder.current().version, VERSION_A);
  const forth = await admin.send({ method: 'POST', url: '/admin/rollback' });
  assert.equal(forth.json().version, VERSION_B);
});

test('rollback --to accepts a unique prefix; an unknown version → 404 VERSION_UNKNOWN, nothing changed', async (t) => {
  const admin = await adminFixture(t);
  await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B });
  const unknown = await admin.send({ method: 'POST', url: '/admin/rollback', body: JSON.stringify({ to: 'f'.repeat(64) }) });
  assertAigwError(unknown, 'AIGW_E_VERSION_UNKNOWN');
  assert.equal(admin.plane.holder.current().version, VERSION_B);
  const prefixed = await admin.send({ method: 'POST', url: '/admin/rollback', body: JSON.stringify({ to: VERSION_A.slice(0, 10) }) });
  assert.equal(prefixed.statusCode, 200);
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});

test('rollback with nothing before the live version → 404', async (t) => {
  const admin = await adminFixture(t);
  const response = await admin.send({ method: 'POST', url: '/admin/rollback' });
  assertAigwError(response, 'AIGW_E_VERSION_UNKNOWN');
});

test('the last 10 versions are kept: the 11th-newest is no longer a rollback target', async (t) => {
  const admin = await adminFixture(t);
  for (let index = 1; index <= 10; index += 1) {
    assert.equal((await admin.send({ method: 'POST', url: '/admin/reload', body: manifestNumbered(index) })).statusCode, 200);
  }
  const status = (await admin.send({ method: 'GET', url: '/admin/status' })).json();
  assert.equal(status.history.length, 10);
  assert.ok(!status.history.some((entry: { version: string }) => entry.version === VERSION_A));
  const gone = await admin.send({ method: 'POST', url: '/admin/rollback', body: JSON.stringify({ to: VERSION_A }) });
  assert.equal(gone.statusCode, 404);
  const kept = await admin.send({ method: 'POST', url: '/admin/rollback', body: JSON.stringify({ to: versionOf(manifestNumbered(1)) }) });
  assert.equal(kept.statusCode, 200);
});

test('GET /admin/status reports version, load time, uptime, replica id, store and the last reload', async (t) => {
  const admin = await adminFixture(t);
  await admin.clock.advance(90_000);
  await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_INVALID });
  const status = (await admin.send({ method: 'GET', url: '/admin/status' })).json();
  assert.equal(status.version, VERSION_A);
  assert.equal(status.replicaId, 'replica-test');
  assert.equal(status.store, 'memory');
  assert.equal(status.uptimeSeconds, 90);
  assert.equal(status.lastReload.outcome, 'invalid');
  assert.equal(status.lastReload.origin, 'reload');
  assert.deepEqual(status.history.map((entry: { version: string }) => entry.version), [VERSION_A]);
});

test('an unchanged manifest is accepted as unchanged and does not swap', async (t) => {
  const admin = await adminFixture(t);
  const before = admin.plane.holder.current();
  const response = await admin.send({ method: 'POST', url: '/admin/reload', body: `# same routes, new comment\n${MANIFEST_A}` });
  assert.equal(response.json().unchanged, true);
  assert.equal(admin.plane.holder.current(), before);
});

test('two keys are live at once (rotation), HMAC and Ed25519 alike', async (t) => {
  const old = hmacKey('ops-2024');
  const next = ed25519Key('ops-2025');
  const admin = await adminFixture(t, { keys: [old, next] });
  assert.equal((await admin.send({ method: 'GET', url: '/admin/status', key: old })).statusCode, 200);
  assert.equal((await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B, key: next })).statusCode, 200);
});

test('no admin keys: buildAdminApp refuses to build the admin plane', async (t) => {
  const plane = await startPlane(t);
  await assert.rejects(buildAdminApp({ plane, keys: new Map(), clock: createManualClock(), replicaId: 'r' }), (error: unknown) =>
    error instanceof AdminKeysError && /refuses to start without keys/.test(error.message));
});

/** Every rejection of issue 7 item 2, as a reload of MANIFEST_B that would change the version if accepted. */
const rejections: readonly { name: string; code: string; headers: (admin: Awaited<ReturnType<typeof adminFixture>>) => Promise<Record<string, string>> | Record<string, string>; url?: string; body?: string }[] = [
  { name: 'unsigned', code: 'AIGW_E_SIGNATURE_MISSING', headers: () => ({}) },
  { name: 'a malformed signature header', code: 'AIGW_E_SIGNATURE_MALFORMED', headers: (admin) => ({ ...sign(admin), [SIGNATURE_HEADERS.signature]: 'AIGW-HMAC-SHA256 not base64!' }) },
  { name: 'an unknown key id', code: 'AIGW_E_SIGNATURE_UNKNOWN_KEY', headers: (admin) => signedHeaders({ method: 'POST', url: '/admin/reload', body: MANIFEST_B }, hmacKey('stranger'), admin.clock) },
  { name: 'a bad signature', code: 'AIGW_E_SIGNATURE_INVALID', headers: (admin) => signedHeaders({ method: 'POST', url: '/admin/reload', body: MANIFEST_B }, hmacKey(admin.key.keyId), admin.clock) },
  { name: 'a timestamp 301 s old', code: 'AIGW_E_SIGNATURE_CLOCK_SKEW', headers: async (admin) => { const headers = sign(admin); await admin.clock.advance(301_000); return headers; } },
  { name: 'a timestamp 301 s ahead', code: 'AIGW_E_SIGNATURE_CLOCK_SKEW', headers: (admin) => signAdminRequest({ method: 'POST', pathAndQuery: '/admin/reload', body: MANIFEST_B, timestamp: Math.floor(admin.clock.now() / 1000) + 301 }, admin.key) },
  { name: 'a body other than the signed one', code: 'AIGW_E_SIGNATURE_MISMATCH', headers: (admin) => signedHeaders({ method: 'POST', url: '/admin/reload', body: MANIFEST_A }, admin.key, admin.clock) },
  { name: 'a path other than the signed one', code: 'AIGW_E_SIGNATURE_MISMATCH', headers: (admin) => signedHeaders({ method: 'POST', url: '/admin/reload?dry_run=true', body: MANIFEST_B }, admin.key, admin.clock) },
  { name: 'a query added after signing', code: 'AIGW_E_SIGNATURE_MISMATCH', url: '/admin/reload?x=1', headers: (admin) => sign(admin) },
];

function sign(admin: Awaited<ReturnType<typeof adminFixture>>): Record<string, string> {
  return signedHeaders({ method: 'POST', url: '/admin/reload', body: MANIFEST_B }, admin.key, admin.clock);
}

for (const rejection of rejections) {
  test(`reload with ${rejection.name} → 401 ${rejection.code}, live version unchanged`, async (t) => {
    const admin = await adminFixture(t);
    const headers = await rejection.headers(admin);
    const response = await admin.app.inject({ method: 'POST', url: rejection.url ?? '/admin/reload', payload: rejection.body ?? MANIFEST_B, headers: { 'content-type': 'application/yaml', ...headers } });
    assertAigwError(response, rejection.code);
    assert.equal(admin.plane.holder.current().version, VERSION_A);
    assert.equal(admin.plane.applier.lastReload(), undefined);
  });
}

test('replay: the exact same signed reload sent twice → the second is 401 signature_replayed', async (t) => {
  const admin = await adminFixture(t);
  const headers = { 'content-type': 'application/yaml', ...sign(admin) };
  const first = await admin.app.inject({ method: 'POST', url: '/admin/reload', payload: MANIFEST_B, headers });
  assert.equal(first.statusCode, 200);
  // Roll back by other means, so a replay that got through would be visible as a version change.
  await admin.send({ method: 'POST', url: '/admin/rollback' });
  assert.equal(admin.plane.holder.current().version, VERSION_A);
  const second = await admin.app.inject({ method: 'POST', url: '/admin/reload', payload: MANIFEST_B, headers });
  assertAigwError(second, 'AIGW_E_SIGNATURE_REPLAYED');
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});

test('GETs must be signed too: unsigned config and status → 401', async (t) => {
  const admin = await adminFixture(t);
  for (const url of ['/admin/config', '/admin/status']) {
    const response = await admin.app.inject({ method: 'GET', url });
    assertAigwError(response, 'AIGW_E_SIGNATURE_MISSING');
  }
});

test('a malformed If-Match or dry_run value is a 400 naming the parameter', async (t) => {
  const admin = await adminFixture(t);
  const ifMatch = await admin.send({ method: 'POST', url: '/admin/reload', body: MANIFEST_B, headers: { 'if-match': 'latest' } });
  assert.equal(ifMatch.statusCode, 400);
  assert.equal(ifMatch.json().error.param, 'if-match');
  const dryRun = await admin.send({ method: 'POST', url: '/admin/reload?dry_run=maybe', body: MANIFEST_B });
  assert.equal(dryRun.statusCode, 400);
  assert.equal(dryRun.json().error.param, 'dry_run');
  assert.equal(admin.plane.holder.current().version, VERSION_A);
});
