/** provider/unsupported-setting: a field the entry's provider type does not read (region on openai…). */
import { PROVIDER_SECRET_FIELDS, PROVIDER_SETTING_FIELDS } from '../../../manifest/document.js';
import { pointerOf } from '../../../manifest/positions.js';
import { isProviderType, secretFieldsOf, settingFieldsOf } from '../../../manifest/provider-catalog.js';
import type { Finding, LintRule } from '../../rule.js';

export const providerUnsupportedSettingRule: LintRule = {
  id: 'provider/unsupported-setting',
  check({ document }) {
    const findings: Finding[] = [];
    for (const [id, entry] of Object.entries(document.providers ?? {})) {
      const type = entry.type ?? (isProviderType(id) ? id : undefined);
      if (type === undefined) continue; // provider/unknown-id reports it
      const allowed = new Set<string>([...settingFieldsOf(type), ...secretFieldsOf(type)]);
      for (const field of [...PROVIDER_SETTING_FIELDS, ...PROVIDER_SECRET_FIELDS]) {
        if (entry[field] === undefined || allowed.has(field)) continue;
        findings.push({
          pointer: pointerOf('providers', id, field),
          part: 'key',
          message: `${type} provider "${id}" does not use ${field}`,
          hint: `Remove ${field}; ${type} reads ${[...allowed].join(', ') || 'no settings'}.`,
        });
      }
    }
    return findings;
  },
};
