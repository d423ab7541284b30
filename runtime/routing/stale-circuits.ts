/**
 * What a reload makes of the circuit breakers (state kept per provider id and model across reloads):
 * a target no route names any more is forgotten (removed targets that failed once would otherwise be
 * kept for the life of the process), and so is every target of a provider whose endpoint or
 * credentials changed — re-pointing a provider is the operator's usual fix for an outage, and the
 * fixed target must not sit out the rest of an open period (up to two minutes) for the old one.
 */
import type { Manifest, ProviderEntry } from '../manifest/types.js';

/** Selects the circuits the swap from `previous` to `next` makes stale. */
export function staleCircuits(previous: Manifest, next: Manifest): (provider: string, model: string) => boolean {
  const named = new Set<string>();
  for (const route of next.routes) {
    for (const target of route.targets) named.add(`${target.provider}/${target.model}`);
    if (route.fallback !== undefined) named.add(`${route.fallback.provider}/${route.fallback.model}`);
  }
  const repointed = new Set<string>();
  for (const [id, entry] of next.providers) {
    const before = previous.providers.get(id);
    if (before !== undefined && !sameEndpoint(before, entry)) repointed.add(id);
  }
  return (provider, model) => repointed.has(provider) || !named.has(`${provider}/${model}`);
}

/** Same adapter, URL, settings and credential values (compared, never copied or printed). */
function sameEndpoint(a: ProviderEntry, b: ProviderEntry): boolean {
  if (a.type !== b.type || a.baseUrl !== b.baseUrl) return false;
  const settings = Object.keys(a.settings);
  if (settings.length !== Object.keys(b.settings).length || settings.some((key) => a.settings[key] !== b.settings[key])) return false;
  const credentials = Object.keys(a.credentials);
  if (credentials.length !== Object.keys(b.credentials).length) return false;
  return credentials.every((key) => b.credentials[key] !== undefined && a.credentials[key]?.reveal() === b.credentials[key]?.reveal());
}
