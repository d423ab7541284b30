/**
 * Bearer key → credential. The key is hashed with sha256 and compared against every credential's
 * `key_sha256` with timingSafeEqual and no early exit, so timing says nothing about which digest
 * matched or how close a guess was. The key itself is never stored, logged or echoed.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { AigwError, ERRORS } from '../../errors.js';
import type { Credential } from '../../manifest/types.js';
import type { LiveConfig } from '../live-config.js';

/** `undefined` = open gateway (no credentials in the manifest). Throws 401 for a missing or unknown key. */
export function authenticate(authorization: string | undefined, config: LiveConfig): Credential | undefined {
  if (config.manifest.credentials === undefined) return undefined;
  const key = bearerKey(authorization);
  if (key === undefined) {
    throw new AigwError(ERRORS.UNAUTHENTICATED, 'You did not provide an API key. Send it as "Authorization: Bearer <key>".');
  }
  // One-shot crypto.hash: a third of createHash().update().digest()'s cost (issue 8).
  const digest = hash('sha256', key, 'buffer');
  let match: Credential | undefined;
  for (const entry of config.credentialDigests) {
    if (entry.digest.length === digest.length && timingSafeEqual(entry.digest, digest) && match === undefined) {
      match = entry.credential;
    }
  }
  if (match === undefined) throw new AigwError(ERRORS.UNAUTHENTICATED, 'Incorrect API key provided.');
  return match;
}

function bearerKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** Throws 403 when the credential's allow-list excludes the route. */
export function authorizeRoute(credential: Credential | undefined, route: string): void {
  if (credential?.routes === undefined) return;
  if (!credential.routes.includes(route)) {
    throw new AigwError(ERRORS.ROUTE_FORBIDDEN, `This API key may not use the model route '${route}'.`);
  }
}

/** Routes a credential may use, in manifest order (GET /v1/models). */
export function allowedRoutes(credential: Credential | undefined, config: LiveConfig): readonly string[] {
  const names = config.manifest.routes.map((route) => route.name);
  return credential?.routes === undefined ? names : names.filter((name) => credential.routes?.includes(name));
}
