/**
 * Bearer key → credential. The key is hashed with sha256 and its digest looked up among the
 * credentials' `key_sha256`. The lookup's timing depends only on the presented key's digest, and a
 * guess cannot be steered towards a stored digest (that would be a sha256 preimage), so timing says
 * nothing about the stored keys — what a constant-time comparison with each of them would protect,
 * at one lookup instead of a pass over every credential (5 000 credentials cost 180 µs per request,
 * unknown keys included). The key itself is never stored, logged or echoed.
 */
import { hash } from 'node:crypto';
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
  const match = config.credentialsByDigest.get(hash('sha256', key, 'hex'));
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
