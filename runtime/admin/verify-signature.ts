/**
 * Verifies a signed admin request (format: signature-format.ts). Every rejection is a 401 AigwError
 * with the precise AIGW_E_SIGNATURE_* code, thrown before the handler runs, so a rejected request
 * changes nothing. Order of checks:
 *
 *   1. no x-aigw-signature                          → SIGNATURE_MISSING
 *   2. a header absent, repeated or unparseable      → SIGNATURE_MALFORMED
 *   3. key id not in the key ring                    → SIGNATURE_UNKNOWN_KEY
 *   4. wrong scheme for the key, or no verification  → SIGNATURE_INVALID
 *   5. timestamp outside ±300 s of the clock         → SIGNATURE_CLOCK_SKEW
 *   6. request line or body ≠ the signed ones        → SIGNATURE_MISMATCH
 *   7. nonce seen within the window                  → SIGNATURE_REPLAYED
 *
 * Nonces are recorded last, so requests that fail any other check cannot burn a nonce.
 */
import { createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { Clock } from '../clock.js';
import { AigwError, ERRORS, type ErrorDefinition } from '../errors.js';
import type { AdminKeyRing, VerificationKey } from './admin-keys.js';
import type { NonceCache } from './nonce-cache.js';
import {
  canonicalString, CONTENT_SHA256_PATTERN, IF_MATCH_PATTERN, KEY_ID_PATTERN, MAX_CLOCK_SKEW_SECONDS, NONCE_PATTERN,
  SIGNATURE_HEADERS, SIGNATURE_SCHEMES, sha256Hex, TIMESTAMP_PATTERN, type SignatureScheme,
} from './signature-format.js';

export interface AdminRequestParts {
  readonly method: string;
  /** Path and query as received on the request line (fastify's `request.url`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The exact body bytes; empty for a GET. */
  readonly body: Uint8Array;
}

export interface VerifyOptions {
  readonly keys: AdminKeyRing;
  readonly nonces: NonceCache;
  readonly clock: Clock;
  /**
   * For GETs only, when `nonces` (Redis) does not answer: a local window, so `aigw status` still sees
   * a replica during a Redis outage. A replayed read changes nothing; writes still fail closed.
   */
  readonly readOnlyFallback?: NonceCache;
}

const SIGNATURE_LENGTH: Record<SignatureScheme, number> = { 'AIGW-HMAC-SHA256': 32, 'AIGW-ED25519': 64 };

function reject(definition: ErrorDefinition, message: string): AigwError {
  return new AigwError(definition, message);
}

/** What the headers alone establish: the key that signed them and the body they declare. */
export interface VerifiedHeaders {
  readonly keyId: string;
  readonly nonce: string;
  readonly contentSha256: string;
}

/** Resolves with the key id that signed the request, or throws a 401 AigwError. */
export async function verifyAdminSignature(request: AdminRequestParts, options: VerifyOptions): Promise<{ keyId: string }> {
  const verified = verifyAdminHeaders(request, options);
  await claimAdminNonce(request.method, verified, options);
  verifyAdminBody(verified, request.body);
  return { keyId: verified.keyId };
}

/**
 * Records the nonce, or throws `signature_replayed`: after the headers verified and before the body
 * is read, so a replayed request (whoever saw one can send its headers again) is refused before its
 * body as an unsigned one is. A signed request whose body then differs has used its nonce.
 */
export async function claimAdminNonce(method: string, verified: VerifiedHeaders, options: VerifyOptions): Promise<void> {
  if (!(await claimNonce(method, verified.keyId, verified.nonce, options))) {
    throw reject(ERRORS.SIGNATURE_REPLAYED, `The nonce was already used within the replay window (${2 * MAX_CLOCK_SKEW_SECONDS + 1} s): a request is never accepted twice.`);
  }
}

/** The body the signed headers declared, or `signature_mismatch`. */
export function verifyAdminBody(verified: VerifiedHeaders, body: Uint8Array): void {
  if (sha256Hex(body) !== verified.contentSha256) throw reject(ERRORS.SIGNATURE_MISMATCH, 'The request body differs from the signed one.');
}

/**
 * Everything but the body and the nonce, from the request line and headers: the signature covers the
 * declared body hash, so a request nobody signed is refused before its body is read (an unsigned
 * upload must not make the gateway buffer anything). Throws a 401 AigwError.
 */
export function verifyAdminHeaders(request: Omit<AdminRequestParts, 'body'>, options: Pick<VerifyOptions, 'keys' | 'clock'>): VerifiedHeaders {
  if (request.headers[SIGNATURE_HEADERS.signature] === undefined) {
    throw reject(ERRORS.SIGNATURE_MISSING, `Admin requests must be signed: the ${SIGNATURE_HEADERS.signature} header is missing (use aigw apply/rollback/status, which sign).`);
  }
  const header = (name: string, pattern: RegExp): string => {
    const value = request.headers[name];
    if (value === undefined) throw reject(ERRORS.SIGNATURE_MALFORMED, `The ${name} header is missing.`);
    if (typeof value !== 'string') throw reject(ERRORS.SIGNATURE_MALFORMED, `The ${name} header is repeated.`);
    if (!pattern.test(value)) throw reject(ERRORS.SIGNATURE_MALFORMED, `The ${name} header is malformed.`);
    return value;
  };
  const keyId = header(SIGNATURE_HEADERS.keyId, KEY_ID_PATTERN);
  const timestamp = Number(header(SIGNATURE_HEADERS.timestamp, TIMESTAMP_PATTERN));
  const nonce = header(SIGNATURE_HEADERS.nonce, NONCE_PATTERN);
  const contentSha256 = header(SIGNATURE_HEADERS.contentSha256, CONTENT_SHA256_PATTERN);
  const signedPath = header(SIGNATURE_HEADERS.signedPath, /^\/[\x21-\x7e]*$/);
  // Signed too: stripped or changed, the compare-and-set guard would let a stale reload through.
  const ifMatch = request.headers['if-match'] === undefined ? '' : header('if-match', IF_MATCH_PATTERN);
  const [scheme, signature] = parseSignature(header(SIGNATURE_HEADERS.signature, /^\S+ \S+$/));

  const key = options.keys.get(keyId);
  if (key === undefined) throw reject(ERRORS.SIGNATURE_UNKNOWN_KEY, `The gateway holds no admin key with id "${keyId}".`);
  if (key.scheme !== scheme) throw reject(ERRORS.SIGNATURE_INVALID, `Key "${keyId}" is a ${key.scheme} key; the request is signed with ${scheme}.`);
  const data = Buffer.from(canonicalString({ scheme, keyId, timestamp, nonce, method: request.method, pathAndQuery: signedPath, contentSha256, ifMatch }), 'utf8');
  if (!verifies(key, data, signature)) throw reject(ERRORS.SIGNATURE_INVALID, `The signature does not verify with key "${keyId}".`);

  // Whole seconds, as the timestamp is: against the clock's fraction, "300 s behind" would pass only
  // on the exact second while "300 s ahead" always passes. The nonce TTL covers this 601 s window.
  const skew = Math.abs(Math.floor(options.clock.now() / 1000) - timestamp);
  if (skew > MAX_CLOCK_SKEW_SECONDS) {
    throw reject(ERRORS.SIGNATURE_CLOCK_SKEW, `The request timestamp is ${skew} s away from the gateway's clock (at most ${MAX_CLOCK_SKEW_SECONDS} s); check the clocks.`);
  }
  if (!samePath(signedPath, request.url)) throw reject(ERRORS.SIGNATURE_MISMATCH, 'The request path or query differs from the signed one.');
  return { keyId, nonce, contentSha256 };
}

/** Whole path segments before the part the gateway serves: what a reverse proxy's path prefix adds. */
const PATH_PREFIX = /^(?:\/[^/?#]+)+$/;

/**
 * The signed path is the one the request arrived on, or that path behind a prefix a reverse proxy
 * strips (`aigw apply --gateway https://ops.example.com/aigw-admin` signs `/aigw-admin/admin/reload`;
 * the gateway receives `/admin/reload`). What the gateway acts on is still the signed path's end, and
 * the prefix can only be whole segments.
 */
function samePath(signedPath: string, received: string): boolean {
  if (signedPath === received) return true;
  return received.startsWith('/') && signedPath.endsWith(received) && PATH_PREFIX.test(signedPath.slice(0, -received.length));
}

async function claimNonce(method: string, keyId: string, nonce: string, options: VerifyOptions): Promise<boolean> {
  try {
    return await options.nonces.claim(keyId, nonce);
  } catch (error) {
    const fallback = options.readOnlyFallback;
    const storeDown = error instanceof AigwError && error.code === ERRORS.ADMIN_STORE_UNAVAILABLE.code;
    if (!storeDown || fallback === undefined || (method !== 'GET' && method !== 'HEAD')) throw error;
    return fallback.claim(keyId, nonce);
  }
}

function parseSignature(value: string): [SignatureScheme, Buffer] {
  const [name = '', encoded = ''] = value.split(' ');
  const scheme = SIGNATURE_SCHEMES.find((candidate) => candidate === name);
  if (scheme === undefined) throw reject(ERRORS.SIGNATURE_MALFORMED, `Unknown signature scheme "${name.slice(0, 40)}" (${SIGNATURE_SCHEMES.join(' or ')}).`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw reject(ERRORS.SIGNATURE_MALFORMED, 'The signature is not base64.');
  const signature = Buffer.from(encoded, 'base64');
  if (signature.length !== SIGNATURE_LENGTH[scheme]) {
    throw reject(ERRORS.SIGNATURE_MALFORMED, `A ${scheme} signature has ${SIGNATURE_LENGTH[scheme]} bytes, not ${signature.length}.`);
  }
  return [scheme, signature];
}

function verifies(key: VerificationKey, data: Buffer, signature: Buffer): boolean {
  if (key.scheme === 'AIGW-HMAC-SHA256') {
    // Constant-time comparison: the lengths are equal (checked in parseSignature).
    return timingSafeEqual(createHmac('sha256', key.secret).update(data).digest(), signature);
  }
  return verify(null, data, key.publicKey, signature);
}
