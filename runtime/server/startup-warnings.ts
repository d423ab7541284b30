/** The loud startup warnings of design §2 and §5: an open gateway, provider keys that are not set. */
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';
import type { Manifest } from '../manifest/types.js';

export const OPEN_GATEWAY_WARNING = 'OPEN GATEWAY: the manifest has no credentials, so anyone who can reach this port can spend your provider budget. Add a credentials: block before exposing it.';

export function startupWarnings(manifest: Manifest, demo: boolean): string[] {
  const warnings: string[] = [];
  if (manifest.credentials === undefined) warnings.push(OPEN_GATEWAY_WARNING);
  if (demo) return warnings;
  for (const entry of manifest.providers.values()) {
    const defaults = PROVIDER_DEFAULTS[entry.type];
    if (Object.keys(defaults.credentialEnv).length === 0 || defaults.credentialOptional === true) continue;
    const present = Object.values(entry.credentials).some((secret) => secret.present);
    if (!present) {
      const names = Object.values(entry.credentials).map((secret) => secret.masked).join(' or ');
      warnings.push(`provider '${entry.id}' has no credential set (${names === '' ? 'none configured' : names}): its targets will fail over`);
    }
  }
  return warnings;
}
