/**
 * startAdminPlane, what serve calls: keys from AIGW_ADMIN_KEYS and AIGW_ADMIN_KEYS_FILE, the admin
 * port closed (loudly) without keys, startup refused for malformed keys, signed requests served.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { AdminKeysError, verificationKeyOf } from '../../../runtime/admin/admin-keys.js';
import { signAdminRequest } from '../../../runtime/admin/sign-request.js';
import { startAdminPlane, type AdminPlaneOptions } from '../../../runtime/admin/start-admin-plane.js';
import { realClock } from '../../../runtime/clock.js';
import { manifestVersion } from '../../../runtime/manifest/canonical.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { createConfigHolder, createLiveConfig } from '../../../runtime/server/live-config.js';
import type { Settings } from '../../../runtime/server/settings.js';
import { ed25519Key, hmacKey, MANIFEST_A } from './admin-harness.js';

function capturedLogger(t: TestContext): { logger: FastifyBaseLogger; lines: () => string[] } {
  const lines: string[] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => { lines.push(line); } } } });
  t.after(() => app.close());
  return { logger: app.log, lines: () => lines };
}

function options(t: TestContext, settings: Partial<AdminPlaneOptions['settings']>): AdminPlaneOptions & { lines: () => string[] } {
  const loaded = loadManifest({ text: MANIFEST_A, file: 'routes.yaml' }, { env: {} });
  assert.ok(loaded.manifest);
  const { logger, lines } = capturedLogger(t);
  const base: Pick<Settings, 'adminKeys' | 'adminKeysFile' | 'adminHost' | 'adminPort' | 'redisUrl' | 'redisPrefix' | 'watch' | 'manifest'> = {
    adminKeys: '', adminKeysFile: undefined, adminHost: '127.0.0.1', adminPort: 0, redisUrl: undefined, redisPrefix: 'aigw', watch: false, manifest: 'routes.yaml',
  };
  return {
    settings: { ...base, ...settings },
    holder: createConfigHolder(createLiveConfig(loaded.manifest, manifestVersion(loaded.document), loaded.document, realClock.now())),
    liveText: MANIFEST_A, env: {}, clock: realClock, logger, replicaId: 'pod-0', lines,
  };
}

test('no admin keys: the admin port stays closed and a warning says so', async (t) => {
  const config = options(t, {});
  const admin = await startAdminPlane(config);
  t.after(() => admin.close());
  assert.equal(admin.app, undefined);
  assert.equal(admin.url, undefined);
  assert.ok(config.lines().some((line) => /ADMIN PLANE OFF/.test(line) && /"level":40/.test(line)));
});

test('AIGW_ADMIN_KEYS_FILE naming a missing file (an optional Secret not created) is no keys, not a crash', async (t) => {
  const config = options(t, { adminKeysFile: join(tmpdir(), 'aigw-no-such-dir', 'admin-keys') });
  const admin = await startAdminPlane(config);
  t.after(() => admin.close());
  assert.equal(admin.app, undefined);
});

test('a malformed key entry refuses startup with AdminKeysError', async (t) => {
  await assert.rejects(startAdminPlane(options(t, { adminKeys: 'ops:hmac:c2hvcnQ=' })), AdminKeysError);
});

test('keys from the variable and the file: the admin app listens and serves signed requests with either', async (t) => {
  const hmac = hmacKey('from-env');
  const ed = ed25519Key('from-file');
  const directory = mkdtempSync(join(tmpdir(), 'aigw-admin-keys-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'admin-keys');
  const verification = verificationKeyOf(ed);
  assert.ok(verification.scheme === 'AIGW-ED25519');
  writeFileSync(file, `# mounted Secret\nfrom-file:ed25519:${verification.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}\n`);
  const secret = hmac.scheme === 'AIGW-HMAC-SHA256' ? hmac.secret.toString('base64') : '';
  const config = options(t, { adminKeys: `from-env:hmac:${secret}`, adminKeysFile: file });
  const admin = await startAdminPlane(config);
  t.after(() => admin.close());
  assert.match(admin.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  for (const key of [hmac, ed]) {
    const headers = signAdminRequest({ method: 'GET', pathAndQuery: '/admin/status', timestamp: Math.floor(Date.now() / 1000) }, key);
    const response = await fetch(`${admin.url}/admin/status`, { headers });
    assert.equal(response.status, 200, key.keyId);
    assert.equal((await response.json() as { replicaId: string }).replicaId, 'pod-0');
  }
  assert.ok(!config.lines().join('\n').includes(secret), 'no key material in the logs');
});
