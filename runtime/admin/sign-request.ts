/**
 * Signs an admin request (signature-format.ts). Used by `aigw apply`/`rollback`/`status`/`diff
 * --gateway` through cli/admin-client.ts, and by the tests, so both sides share one implementation.
 * node:crypto only: HMAC-SHA256 for shared keys, Ed25519 (`sign(null, …)`) for key pairs.
 */
import { createHmac, randomBytes, sign } from 'node:crypto';
import type { SigningKey } from './admin-keys.js';
import { canonicalString, SIGNATURE_HEADERS, sha256Hex, type SignedFields } from './signature-format.js';

export interface RequestToSign {
  readonly method: string;
  /** Path and query exactly as they will go on the request line. */
  readonly pathAndQuery: string;
  /** The exact body bytes (empty for a GET). */
  readonly body?: string | Uint8Array;
  /** Unix seconds; the caller's clock. */
  readonly timestamp: number;
  /** Defaults to 24 random bytes, base64url. */
  readonly nonce?: string;
  /** The If-Match header the request will carry, if any (it is signed). */
  readonly ifMatch?: string;
}

/** The six x-aigw-* headers for the request. */
export function signAdminRequest(request: RequestToSign, key: SigningKey): Record<string, string> {
  const fields: SignedFields = {
    scheme: key.scheme,
    keyId: key.keyId,
    timestamp: request.timestamp,
    nonce: request.nonce ?? randomBytes(24).toString('base64url'),
    method: request.method.toUpperCase(),
    pathAndQuery: request.pathAndQuery,
    contentSha256: sha256Hex(request.body ?? ''),
    ifMatch: request.ifMatch ?? '',
  };
  const data = Buffer.from(canonicalString(fields), 'utf8');
  const signature = key.scheme === 'AIGW-HMAC-SHA256'
    ? createHmac('sha256', key.secret).update(data).digest()
    : sign(null, data, key.privateKey);
  return {
    [SIGNATURE_HEADERS.keyId]: fields.keyId,
    [SIGNATURE_HEADERS.timestamp]: String(fields.timestamp),
    [SIGNATURE_HEADERS.nonce]: fields.nonce,
    [SIGNATURE_HEADERS.contentSha256]: fields.contentSha256,
    [SIGNATURE_HEADERS.signedPath]: fields.pathAndQuery,
    [SIGNATURE_HEADERS.signature]: `${key.scheme} ${signature.toString('base64')}`,
  };
}
