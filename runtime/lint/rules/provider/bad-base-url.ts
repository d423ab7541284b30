/** provider/bad-base-url: a base_url that is not an absolute http(s) URL once interpolated. */
import { hasReference } from '../../../manifest/interpolate.js';
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';

export const providerBadBaseUrlRule: LintRule = {
  id: 'provider/bad-base-url',
  check({ resolved }) {
    const findings: Finding[] = [];
    for (const [id, entry] of Object.entries(resolved.providers ?? {})) {
      const url = entry.base_url;
      // A reference left unresolved (--allow-missing-env) is env/missing-variable's finding, not a bad URL.
      if (url === undefined || hasReference(url)) continue;
      if (isHttpUrl(url)) continue;
      findings.push({ pointer: pointerOf('providers', id, 'base_url'), message: `base_url of provider "${id}" is not an absolute http(s) URL` });
    }
    return findings;
  },
};

function isHttpUrl(value: string): boolean {
  // {region}-style placeholders are filled later; substitute a host-safe word to check the rest.
  const candidate = value.replace(/\{[a-z_]+\}/g, 'placeholder');
  if (!URL.canParse(candidate)) return false;
  const url = new URL(candidate);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}
