/**
 * The signature scheme at function level: HMAC and Ed25519 round trips, and one precise
 * AIGW_E_SIGNATURE_* code per rejection case, in the documented order of checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalString, SIGNATURE_HEADERS, sha256Hex } from '../../../runtime/admin/signature-format.js';
import { createMemoryNonceCache } from '../../../runtime/admin/nonce-cache.js';
import { signAdminRequest } from '../../../runtime/admin/sign-request.js';
import { verifyAdminSignature, type AdminRequestParts } from '../../../runtime/admin/verify-signature.js';
import { isAigwError } from '../../../runtime/errors.js';
import { createManualClock } from '../../helpers/virtual-clock.js';
import { ed25519Key, hmacKey, keyRing } from './admin-harness.js';

const BODY = 'ai_routes: []\n';
const PATH = '/admin/reload?dry_run=true';

function setup() {
  const clock = createManualClock();
  const hmac = hmacKey('k-hmac');
  const ed = ed25519Key('k-ed');
  const options = { keys: keyRing(hmac, ed), nonces: createMemoryNonceCache(clock), clock };
  const now = () => Math.floor(clock.now() / 1000);
  const request = (key = hmac, overrides: Partial<AdminRequestParts> = {}, headerOverrides: Record<string, string | undefined> = {}): AdminRequestParts => {
    const headers: Record<string, string | undefined> = { ...signAdminRequest({ method: 'POST', pathAndQuery: PATH, body: BODY, timestamp: now() }, key), ...headerOverrides };
    for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
    return { method: 'POST', url: PATH, headers, body: Buffer.from(BODY), ...overrides };
  };
  return { clock, hmac, ed, options, request };
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAigwError(error), `expected an AigwError, got ${String(error)}`);
    assert.equal(error.status, 401);
    return error.code;
  }
  assert.fail('the request was accepted');
}

test('the canonical string is the versioned scheme line and seven newline-joined fields, If-Match last (empty when absent)', () => {
  const fields = { scheme: 'AIGW-ED25519', keyId: 'k', timestamp: 1700000000, nonce: 'n'.repeat(16), method: 'post', pathAndQuery: '/admin/reload?dry_run=true', contentSha256: sha256Hex('') } as const;
  const head = `AIGW-ED25519/v2\nk\n1700000000\n${'n'.repeat(16)}\nPOST\n/admin/reload?dry_run=true\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`;
  assert.equal(canonicalString({ ...fields, ifMatch: '' }), `${head}\n`);
  assert.equal(canonicalString({ ...fields, ifMatch: '"abc"' }), `${head}\n"abc"`);
});

test('If-Match is signed: removed, changed or added after signing, the signature does not verify', async () => {
  const { hmac, options } = setup();
  const body = 'ai_routes: []\n';
  const signed = (ifMatch?: string) => signAdminRequest({ method: 'POST', pathAndQuery: '/admin/reload', body, timestamp: Math.floor(options.clock.now() / 1000), ...(ifMatch === undefined ? {} : { ifMatch }) }, hmac);
  const parts = (headers: Record<string, string>, ifMatch?: string): AdminRequestParts => ({ method: 'POST', url: '/admin/reload', body: Buffer.from(body), headers: { ...headers, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) } });
  const version = `"${'a'.repeat(64)}"`;
  assert.deepEqual(await verifyAdminSignature(parts(signed(version), version), options), { keyId: hmac.keyId });
  assert.equal(await rejectionCode(parts(signed(version))), 'AIGW_E_SIGNATURE_INVALID');
  assert.equal(await rejectionCode(parts(signed(version), `"${'b'.repeat(64)}"`)), 'AIGW_E_SIGNATURE_INVALID');
  assert.equal(await rejectionCode(parts(signed(), version)), 'AIGW_E_SIGNATURE_INVALID');

  async function rejectionCode(request: AdminRequestParts): Promise<string> {
    try {
      await verifyAdminSignature(request, options);
    } catch (error) {
      assert.ok(isAigwError(error));
      return error.code;
    }
    return assert.fail('accepted');
  }
});

test('HMAC-SHA256 and Ed25519 signatures verify and name the key', async () => {
  const { hmac, ed, options, request } = setup();
  assert.deepEqual(await verifyAdminSignature(request(hmac), options), { keyId: 'k-hmac' });
  assert.deepEqual(await verifyAdminSignature(request(ed), options), { keyId: 'k-ed' });
  assert.match(request(ed).headers[SIGNATURE_HEADERS.signature] as string, /^AIGW-ED25519 [A-Za-z0-9+/]{86}==$/);
});

const cases: readonly { name: string; code: string; build: (s: ReturnType<typeof setup>) => AdminRequestParts }[] = [
  { name: 'no signature header', code: 'AIGW_E_SIGNATURE_MISSING', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.signature]: undefined }) },
  { name: 'no headers at all', code: 'AIGW_E_SIGNATURE_MISSING', build: (s) => ({ ...s.request(), headers: {} }) },
  { name: 'a missing nonce', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.nonce]: undefined }) },
  { name: 'a short nonce', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.nonce]: 'abc' }) },
  { name: 'a non-numeric timestamp', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.timestamp]: '2025-01-01' }) },
  { name: 'an unknown scheme', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.signature]: 'AWS4-HMAC-SHA256 AAAA' }) },
  { name: 'a signature of the wrong length', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => s.request(s.hmac, {}, { [SIGNATURE_HEADERS.signature]: 'AIGW-HMAC-SHA256 AAAA' }) },
  { name: 'a repeated header', code: 'AIGW_E_SIGNATURE_MALFORMED', build: (s) => { const r = s.request(); return { ...r, headers: { ...r.headers, [SIGNATURE_HEADERS.keyId]: ['k-hmac', 'k-ed'] } }; } },
  { name: 'an unknown key id', code: 'AIGW_E_SIGNATURE_UNKNOWN_KEY', build: (s) => s.request(hmacKey('k-retired')) },
  { name: 'a signature by another secret under a known id', code: 'AIGW_E_SIGNATURE_INVALID', build: (s) => s.request(hmacKey('k-hmac')) },
  { name: 'an Ed25519 signature by another key pair', code: 'AIGW_E_SIGNATURE_INVALID', build: (s) => s.request(ed25519Key('k-ed')) },
  { name: 'the HMAC scheme under an Ed25519 key id', code: 'AIGW_E_SIGNATURE_INVALID', build: (s) => s.request(hmacKey('k-ed')) },
  { name: 'another method', code: 'AIGW_E_SIGNATURE_INVALID', build: (s) => s.request(s.hmac, { method: 'PUT' }) },
  { name: 'a declared body hash changed after signing', code: 'AIGW_E_SIGNATURE_INVALID', build: (s) => s.request(s.hmac, { body: Buffer.from('x') }, { [SIGNATURE_HEADERS.contentSha256]: sha256Hex('x') }) },
  { name: 'a timestamp 301 s in the past', code: 'AIGW_E_SIGNATURE_CLOCK_SKEW', build: (s) => { const r = s.request(); void s.clock.advance(301_000); return r; } },
  { name: 'a body that differs from the signed one', code: 'AIGW_E_SIGNATURE_MISMATCH', build: (s) => s.request(s.hmac, { body: Buffer.from('ai_routes: [x]\n') }) },
  { name: 'a path that differs from the signed one', code: 'AIGW_E_SIGNATURE_MISMATCH', build: (s) => s.request(s.hmac, { url: '/admin/reload' }) },
];

for (const { name, code, build } of cases) {
  test(`rejects ${name} with ${code}`, async () => {
    const s = setup();
    const request = build(s);
    await s.clock.advance(0);
    assert.equal(await rejection(verifyAdminSignature(request, s.options)), code);
  });
}

test('a timestamp 301 s in the future is clock skew; 300 s either way is accepted', async () => {
  const s = setup();
  const future = (seconds: number) => ({ ...s.request(), headers: signAdminRequest({ method: 'POST', pathAndQuery: PATH, body: BODY, timestamp: Math.floor(s.clock.now() / 1000) + seconds }, s.hmac) });
  assert.equal(await rejection(verifyAdminSignature(future(301), s.options)), 'AIGW_E_SIGNATURE_CLOCK_SKEW');
  await verifyAdminSignature(future(300), s.options);
  await verifyAdminSignature(future(-300), s.options);
});

test('the same signed request twice: the second is a replay', async () => {
  const s = setup();
  const request = s.request(s.ed);
  await verifyAdminSignature(request, s.options);
  assert.equal(await rejection(verifyAdminSignature(request, s.options)), 'AIGW_E_SIGNATURE_REPLAYED');
});

test('a rejected request does not burn its nonce', async () => {
  const s = setup();
  const good = s.request();
  assert.equal(await rejection(verifyAdminSignature({ ...good, url: '/admin/reload' }, s.options)), 'AIGW_E_SIGNATURE_MISMATCH');
  await verifyAdminSignature(good, s.options);
});

test('rejection messages never contain key material or the signature', async () => {
  const s = setup();
  const forged = hmacKey('k-hmac');
  const request = s.request(forged);
  const error = await verifyAdminSignature(request, s.options).then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof Error);
  const signature = (request.headers[SIGNATURE_HEADERS.signature] as string).split(' ')[1] ?? '';
  for (const secret of [forged.scheme === 'AIGW-HMAC-SHA256' ? forged.secret.toString('base64') : '', signature]) {
    assert.ok(secret.length > 0 && !error.message.includes(secret));
  }
});

test('±300 s is whole seconds: a timestamp 300 s behind is accepted mid-second too, 301 s is not', async () => {
  const s = setup();
  await s.clock.advance(400_500);
  const signedAt = (offset: number) => ({ ...s.request(), headers: signAdminRequest({ method: 'POST', pathAndQuery: PATH, body: BODY, timestamp: Math.floor(s.clock.now() / 1000) + offset }, s.hmac) });
  await verifyAdminSignature(signedAt(-300), s.options);
  await verifyAdminSignature(signedAt(300), s.options);
  assert.equal(await rejection(verifyAdminSignature(signedAt(-301), s.options)), 'AIGW_E_SIGNATURE_CLOCK_SKEW');
});

test('a nonce outlives its timestamp\'s window: first seen at the window\'s first instant, its replay at the last instant is refused', async () => {
  const s = setup();
  const timestamp = Math.floor(s.clock.now() / 1000) + 300;
  const request = { ...s.request(), headers: signAdminRequest({ method: 'POST', pathAndQuery: PATH, body: BODY, timestamp }, s.hmac) };
  await verifyAdminSignature(request, s.options);
  // 600 s after it was first seen, and the last moment the timestamp is within ±300 s (whole seconds).
  await s.clock.advance(600_000);
  assert.equal(await rejection(verifyAdminSignature(request, s.options)), 'AIGW_E_SIGNATURE_REPLAYED');
  await s.clock.advance(999);
  assert.equal(await rejection(verifyAdminSignature(request, s.options)), 'AIGW_E_SIGNATURE_REPLAYED');
  await s.clock.advance(1);
  assert.equal(await rejection(verifyAdminSignature(request, s.options)), 'AIGW_E_SIGNATURE_CLOCK_SKEW');
});

test('a path signed behind a reverse proxy\'s prefix is accepted on the path the proxy forwards', async () => {
  const s = setup();
  const signedBehind = (pathAndQuery: string) => signAdminRequest({ method: 'POST', pathAndQuery, body: BODY, timestamp: Math.floor(s.clock.now() / 1000) }, s.hmac);
  // https://ops.example.com/aigw-admin → the proxy strips /aigw-admin.
  await verifyAdminSignature({ ...s.request(), headers: signedBehind(`/aigw-admin${PATH}`) }, s.options);
  await verifyAdminSignature({ ...s.request(), headers: signedBehind(`/a/b${PATH}`) }, s.options);
  // Only whole segments in front: the end of a segment, another path or another query does not match.
  assert.equal(await rejection(verifyAdminSignature({ ...s.request(), headers: signedBehind(`/x${PATH.slice(1)}`) }, s.options)), 'AIGW_E_SIGNATURE_MISMATCH');
  assert.equal(await rejection(verifyAdminSignature({ ...s.request(), headers: signedBehind('/aigw-admin/admin/rollback') }, s.options)), 'AIGW_E_SIGNATURE_MISMATCH');
  assert.equal(await rejection(verifyAdminSignature({ ...s.request(), url: '/admin/reload' }, s.options)), 'AIGW_E_SIGNATURE_MISMATCH');
});
