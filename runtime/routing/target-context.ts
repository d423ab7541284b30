/**
 * Manifest target → what its adapter needs (TargetContext), and the per-target facts the engine and
 * dry-run both read: the provider entry, prefill support, and whether its credential is set.
 */
import type { AuthSpec, ProviderAdapter, TargetContext } from '../adapters/contract.js';
import type { Manifest, ProviderEntry, Route, Target } from '../manifest/types.js';

export function providerEntry(manifest: Manifest, target: Target): ProviderEntry {
  const entry = manifest.providers.get(target.provider);
  // The normalizer adds an entry for every provider a route uses; a missing one is a loader bug.
  if (entry === undefined) throw new Error(`manifest has no provider entry for "${target.provider}"`);
  return entry;
}

export function targetContext(entry: ProviderEntry, route: Route, target: Target): TargetContext {
  return {
    providerId: entry.id,
    model: target.model,
    baseUrl: entry.baseUrl,
    settings: entry.settings,
    credentials: entry.credentials,
    defaults: entry.defaults,
    dropParams: route.dropParams,
  };
}

/** Design §3.6: the target's `prefill`, else the provider entry's, else what the adapter declares. */
export function supportsPrefill(adapter: ProviderAdapter, entry: ProviderEntry, target: Target): boolean {
  return target.prefill ?? entry.prefill ?? adapter.supportsPrefill;
}

/**
 * The masked name of a credential the request needs but that has no value (`${OPENAI_API_KEY}`), or
 * undefined when authentication can be applied. `serve` warns about these at startup; a call would
 * only earn a 401, so the engine skips the target instead.
 */
export function missingCredential(auth: AuthSpec): string | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'bearer':
    case 'header':
      return auth.secret.present ? undefined : auth.secret.masked;
    case 'sigv4':
      if (!auth.accessKeyId.present) return auth.accessKeyId.masked;
      return auth.secretAccessKey.present ? undefined : auth.secretAccessKey.masked;
    case 'google-service-account':
      return auth.keyFile.present ? undefined : auth.keyFile.masked;
    default: {
      const never: never = auth;
      return never;
    }
  }
}
