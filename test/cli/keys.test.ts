/**
 * `aigw keys generate`: key files with 0600 permissions, a gateway snippet that holds no secret, and
 * keys that the gateway's parser and the CLI's signer accept as a working pair.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { parseAdminKeys, parseSigningKey } from '../../runtime/admin/admin-keys.js';
import { createMemoryNonceCache } from '../../runtime/admin/nonce-cache.js';
import { signAdminRequest } from '../../runtime/admin/sign-request.js';
import { verifyAdminSignature } from '../../runtime/admin/verify-signature.js';
import { realClock } from '../../runtime/clock.js';
import { createTestIo } from '../helpers/io.js';

function directory(t: TestContext): string {
  const path = mkdtempSync(join(tmpdir(), 'aigw-keys-'));
  t.after(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

async function verifies(gatewayKeys: string, keyId: string, keyFile: string): Promise<void> {
  const key = parseSigningKey(keyId, readFileSync(keyFile, 'utf8'), keyFile);
  const headers = signAdminRequest({ method: 'GET', pathAndQuery: '/admin/status', timestamp: Math.floor(Date.now() / 1000) }, key);
  await verifyAdminSignature({ method: 'GET', url: '/admin/status', headers, body: Buffer.alloc(0) }, { keys: parseAdminKeys(gatewayKeys), nonces: createMemoryNonceCache(realClock), clock: realClock });
}

test('ed25519: a 0600 private key, a public key, and a snippet with the public key only', async (t) => {
  const cwd = directory(t);
  const io = createTestIo({ cwd });
  assert.equal(await main(['keys', 'generate', '--type', 'ed25519', '--out', 'ops', '--key-id', 'ops-2025'], io), ExitCode.Ok, io.err());
  assert.equal(statSync(join(cwd, 'ops.key')).mode & 0o777, 0o600);
  assert.equal(statSync(join(cwd, 'ops.pub')).mode & 0o777, 0o644);
  assert.match(readFileSync(join(cwd, 'ops.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  const snippet = /^AIGW_ADMIN_KEYS="(ops-2025:ed25519:[A-Za-z0-9+/=]+)"$/m.exec(io.out());
  assert.ok(snippet?.[1] !== undefined, io.out());
  assert.ok(!io.out().includes('PRIVATE'));
  assert.match(io.out(), /^AIGW_ADMIN_KEY_ID=ops-2025$/m);
  await verifies(snippet[1], 'ops-2025', join(cwd, 'ops.key'));
});

test('hmac: a 0600 secret file, and a snippet that reads it instead of printing it', async (t) => {
  const cwd = directory(t);
  const io = createTestIo({ cwd });
  assert.equal(await main(['keys', 'generate', '--type', 'hmac', '--out', 'shared'], io), ExitCode.Ok, io.err());
  const secret = readFileSync(join(cwd, 'shared.key'), 'utf8').trim();
  assert.equal(Buffer.from(secret, 'base64').length, 32);
  assert.equal(statSync(join(cwd, 'shared.key')).mode & 0o777, 0o600);
  assert.ok(!io.out().includes(secret), 'the secret must never be printed');
  assert.match(io.out(), /^AIGW_ADMIN_KEYS="shared:hmac:\$\(cat shared\.key\)"$/m);
  await verifies(`shared:hmac:${secret}`, 'shared', join(cwd, 'shared.key'));
});

test('existing key files are never overwritten (exit 2), and nothing half-written stays behind', async (t) => {
  const cwd = directory(t);
  writeFileSync(join(cwd, 'ops.pub'), 'old');
  const io = createTestIo({ cwd });
  assert.equal(await main(['keys', 'generate', '--out', 'ops'], io), ExitCode.Usage);
  assert.match(io.err(), /ops\.pub already exists/);
  assert.throws(() => statSync(join(cwd, 'ops.key')));
  assert.equal(readFileSync(join(cwd, 'ops.pub'), 'utf8'), 'old');
});

test('--format json lists the files and the gateway entry; a bad key id is a usage error', async (t) => {
  const cwd = directory(t);
  const io = createTestIo({ cwd });
  assert.equal(await main(['keys', 'generate', '--out', 'k', '--format', 'json'], io), ExitCode.Ok);
  const report = JSON.parse(io.out());
  assert.deepEqual(report.files, ['k.key', 'k.pub']);
  assert.match(report.gatewayKeys, /^k:ed25519:/);
  const bad = createTestIo({ cwd });
  assert.equal(await main(['keys', 'generate', '--out', 'x', '--key-id', 'has space'], bad), ExitCode.Usage);
});
