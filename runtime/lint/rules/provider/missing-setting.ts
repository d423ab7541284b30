/**
 * provider/missing-setting: a provider that cannot build a request without a setting — the type's
 * required settings (bedrock region, vertex-ai project and location) and any base URL placeholder
 * left unfilled (azure-openai without resource or base_url).
 */
import { PROVIDER_DEFAULTS } from '../../../adapters/provider-defaults.js';
import { pointerOf } from '../../../manifest/positions.js';
import { settingFieldsOf, unfilledPlaceholders } from '../../../manifest/provider-catalog.js';
import type { Finding, LintRule } from '../../rule.js';
import { targetsOf, fallbacksOf } from '../../walk.js';

export const providerMissingSettingRule: LintRule = {
  id: 'provider/missing-setting',
  check({ document, manifest }) {
    const findings: Finding[] = [];
    for (const provider of manifest.providers.values()) {
      const missing = new Set(PROVIDER_DEFAULTS[provider.type].requiredSettings.filter((name) => provider.settings[name] === undefined));
      // A placeholder that names no setting of the type is provider/bad-base-url's (at base_url).
      const settings = settingFieldsOf(provider.type);
      for (const name of unfilledPlaceholders(provider.baseUrl)) if (settings.includes(name)) missing.add(name);
      if (missing.size === 0) continue;
      const names = [...missing];
      const pointer = provider.declared ? pointerOf('providers', provider.id) : firstUse(document, provider.id);
      findings.push({
        pointer,
        part: provider.declared ? 'key' : 'value',
        message: `${provider.type} provider "${provider.id}" needs ${names.join(' and ')}`,
        hint: provider.declared
          ? `Add ${names.map((name) => `${name}: …`).join(', ')} to providers.${provider.id}${names.some((name) => name === 'resource') ? ' (or a base_url)' : ''}.`
          : `Declare it under providers, e.g. providers: { ${provider.id}: { ${names.map((name) => `${name}: …`).join(', ')} } }.`,
      });
    }
    return findings;
  },
};

/** Where an implicit provider is first referenced (it has no entry to point at). */
function firstUse(document: Parameters<LintRule['check']>[0]['document'], id: string): string {
  for (const { target, pointer } of targetsOf(document)) if (target.provider === id) return `${pointer}/provider`;
  for (const { provider, pointer } of fallbacksOf(document)) if (provider === id) return pointer;
  return '';
}
