/** AIGW_ADMIN_KEYS / AIGW_ADMIN_KEYS_FILE parsing and client key files; errors never show key material. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AdminKeysError, parseAdminKeys, parseSigningKey } from '../../../runtime/admin/admin-keys.js';

const secret = randomBytes(32).toString('base64');
const pair = generateKeyPairSync('ed25519');
const spki = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64');

test('inline keys (comma- or newline-separated) and a keys file merge into one ring', () => {
  const ring = parseAdminKeys(`ops:hmac:${secret}, ci:ed25519:${spki}`, { text: `# rotated in 2025\n\nnew:ed25519:${raw}\n`, file: '/etc/aigw/admin-keys' });
  assert.deepEqual([...ring.keys()], ['ops', 'ci', 'new']);
  assert.equal(ring.get('ops')?.scheme, 'AIGW-HMAC-SHA256');
  assert.equal(ring.get('ci')?.scheme, 'AIGW-ED25519');
  assert.equal(ring.get('new')?.scheme, 'AIGW-ED25519');
  assert.equal(parseAdminKeys('').size, 0);
});

const bad: readonly [string, string, RegExp][] = [
  ['a short HMAC secret', `ops:hmac:${randomBytes(16).toString('base64')}`, /at least 32 bytes/],
  ['an unknown type', `ops:rsa:${secret}`, /unknown key type "rsa"/],
  ['parts in the wrong order (the secret where the type goes)', `ops:${secret}:hmac`, /unknown key type \(hmac or ed25519\)/],
  ['a bad key id', `has space:hmac:${secret}`, /key id must match/],
  ['a missing part', `ops:hmac`, /expected <key id>:hmac/],
  ['not base64', 'ops:hmac:!!!', /not valid base64/],
  ['a non-Ed25519 public key', `ops:ed25519:${generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`, /not Ed25519/],
  ['a duplicated id', `ops:hmac:${secret},ops:ed25519:${spki}`, /defined twice/],
];

for (const [name, entry, message] of bad) {
  test(`refuses ${name}, naming the entry and never the key`, () => {
    assert.throws(() => parseAdminKeys(entry), (error: unknown) => error instanceof AdminKeysError && message.test(error.message) && !error.message.includes(secret));
  });
}

test('a client key file is a PEM Ed25519 private key or a base64 HMAC secret', () => {
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(parseSigningKey('ci', pem, 'ci.key').scheme, 'AIGW-ED25519');
  assert.equal(parseSigningKey('ops', `${secret}\n`, 'ops.key').scheme, 'AIGW-HMAC-SHA256');
  assert.throws(() => parseSigningKey('ops', 'too short', 'ops.key'), /base64 HMAC secret of at least 32 bytes/);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => parseSigningKey('ops', rsa, 'rsa.key'), /not Ed25519/);
});

test('an Ed25519 public key written as an HMAC secret is refused (anyone with the .pub file could sign)', () => {
  const spki = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  assert.throws(() => parseAdminKeys(`ops:hmac:${spki}`), (error: unknown) => error instanceof AdminKeysError && /public key, not an HMAC secret.*ops:ed25519:/.test(error.message));
  assert.equal(parseAdminKeys(`ops:ed25519:${spki}`).get('ops')?.scheme, 'AIGW-ED25519');
  assert.equal(parseAdminKeys(`ci:hmac:${randomBytes(32).toString('base64')}`).get('ci')?.scheme, 'AIGW-HMAC-SHA256');
});
