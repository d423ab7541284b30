/**
 * provider/bad-base-url: a base_url that is not an absolute http(s) URL once interpolated, one that
 * carries user-info credentials (the transport never sends them: providers authenticate through the
 * entry's secret fields, and a URL is printed by dry-run, diff and logs where a password must not be),
 * or one with a `{name}` placeholder that no setting of the provider's type fills (it would be sent
 * as written).
 */
import { hasReference } from '../../../manifest/interpolate.js';
import { pointerOf } from '../../../manifest/positions.js';
import { isProviderType, settingFieldsOf, unfilledPlaceholders } from '../../../manifest/provider-catalog.js';
import type { Finding, LintRule } from '../../rule.js';

export const providerBadBaseUrlRule: LintRule = {
  id: 'provider/bad-base-url',
  check({ resolved }) {
    const findings: Finding[] = [];
    for (const [id, entry] of Object.entries(resolved.providers ?? {})) {
      const url = entry.base_url;
      // A reference left unresolved (--allow-missing-env) is env/missing-variable's finding, not a bad URL.
      if (url === undefined || hasReference(url)) continue;
      const pointer = pointerOf('providers', id, 'base_url');
      const type = entry.type ?? id;
      const settings = isProviderType(type) ? settingFieldsOf(type) : [];
      const unknown = unfilledPlaceholders(url).filter((name) => !settings.includes(name));
      if (unknown.length > 0) {
        findings.push({
          pointer,
          message: `base_url of provider "${id}" has ${unknown.map((name) => `{${name}}`).join(', ')}, which no setting of ${type} fills`,
          hint: settings.length > 0
            ? `Placeholders name settings of this type (${settings.map((name) => `{${name}}`).join(', ')}); write anything else into the URL itself.`
            : 'This type has no settings to fill placeholders; write the value into the URL itself.',
        });
      }
      const parsed = httpUrl(url);
      if (parsed === undefined) {
        findings.push({ pointer, message: `base_url of provider "${id}" is not an absolute http(s) URL` });
      } else if (parsed.username !== '' || parsed.password !== '') {
        findings.push({
          pointer,
          message: `base_url of provider "${id}" carries user-info credentials (user:password@), which the gateway never sends`,
          hint: 'Remove them from the URL and put the provider key in api_key as ${VAR}.',
        });
      }
    }
    return findings;
  },
};

function httpUrl(value: string): URL | undefined {
  // {region}-style placeholders are filled later; substitute a host-safe word to check the rest.
  const candidate = value.replace(/\{[a-z_]+\}/g, 'placeholder');
  if (!URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
}
