/**
 * The admin request signature, version 1: header names, the two schemes and the canonical string.
 * `sign-request.ts` (aigw apply and tests) and `verify-signature.ts` (the gateway) both build the
 * canonical string here, so they cannot drift apart.
 *
 * Headers (all required on every admin request, GETs included):
 *
 *   x-aigw-key-id          key id, [A-Za-z0-9._-]{1,64}
 *   x-aigw-timestamp       unix seconds (integer) when the request was signed
 *   x-aigw-nonce           16–128 characters of [A-Za-z0-9_-], never reused within the window
 *   x-aigw-content-sha256  lowercase hex sha256 of the exact body bytes (of "" for a GET)
 *   x-aigw-signed-path     the path and query that were signed, exactly as sent on the request line
 *   x-aigw-signature       "<scheme> <base64 signature>", scheme AIGW-HMAC-SHA256 or AIGW-ED25519
 *
 * Canonical string (UTF-8, fields joined by "\n", no trailing newline):
 *
 *   <scheme>/v2
 *   <key id>
 *   <timestamp>
 *   <nonce>
 *   <METHOD>
 *   <path and query>
 *   <content sha256>
 *   <If-Match header as sent, or empty>
 *
 * v2 added the If-Match line: unsigned, the compare-and-set guard could be stripped from a captured
 * request (or on the way) and a stale reload applied over newer changes. v1 is no longer accepted.
 *
 * The signed path and content hash travel in headers so the gateway can tell "the signature is wrong"
 * (AIGW_E_SIGNATURE_INVALID) from "the signature is right but the request was changed on the way"
 * (AIGW_E_SIGNATURE_MISMATCH): the signature authenticates the headers, and the request line and
 * body must then equal what the headers declare.
 */
import { createHash } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  keyId: 'x-aigw-key-id',
  timestamp: 'x-aigw-timestamp',
  nonce: 'x-aigw-nonce',
  contentSha256: 'x-aigw-content-sha256',
  signedPath: 'x-aigw-signed-path',
  signature: 'x-aigw-signature',
} as const;

/** Names the manifest file in a reload's diagnostics (`aigw apply` sends it; cosmetic, not signed). */
export const SOURCE_NAME_HEADER = 'x-aigw-source-name';

export type SignatureScheme = 'AIGW-HMAC-SHA256' | 'AIGW-ED25519';
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['AIGW-HMAC-SHA256', 'AIGW-ED25519'];

/** The canonical-string version; a new format gets a new suffix, never a changed meaning. */
export const SIGNATURE_VERSION = 'v2';

/** Requests signed more than this far from the gateway's clock (either way) are rejected. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
export const CONTENT_SHA256_PATTERN = /^[0-9a-f]{64}$/;
export const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export interface SignedFields {
  readonly scheme: SignatureScheme;
  readonly keyId: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly method: string;
  /** Path and query, as on the request line: `/admin/reload?dry_run=true`. */
  readonly pathAndQuery: string;
  readonly contentSha256: string;
  /** The If-Match header exactly as sent; empty when there is none. */
  readonly ifMatch: string;
}

/** An If-Match value as it may be signed: printable ASCII, bounded (a version is 64 hex digits, quoted). */
export const IF_MATCH_PATTERN = /^[\x20-\x7e]{0,200}$/;

export function canonicalString(fields: SignedFields): string {
  return [
    `${fields.scheme}/${SIGNATURE_VERSION}`,
    fields.keyId,
    String(fields.timestamp),
    fields.nonce,
    fields.method.toUpperCase(),
    fields.pathAndQuery,
    fields.contentSha256,
    fields.ifMatch,
  ].join('\n');
}

export function sha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}
