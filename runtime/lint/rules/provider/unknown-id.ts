/** provider/unknown-id: a provider id that is neither known nor declared with a `type:`. */
import { pointerOf } from '../../../manifest/positions.js';
import { KNOWN_PROVIDER_TYPES, isProviderType } from '../../../manifest/provider-catalog.js';
import { createSuggester } from '../../did-you-mean.js';
import type { Finding, LintRule } from '../../rule.js';
import { fallbacksOf, targetsOf } from '../../walk.js';

export const providerUnknownIdRule: LintRule = {
  id: 'provider/unknown-id',
  check({ document }) {
    const declared = Object.keys(document.providers ?? {});
    const candidates = [...new Set([...declared, ...KNOWN_PROVIDER_TYPES])];
    const suggestKnown = createSuggester(KNOWN_PROVIDER_TYPES);
    const suggestAny = createSuggester(candidates);
    const findings: Finding[] = [];
    for (const [id, entry] of Object.entries(document.providers ?? {})) {
      if (entry.type !== undefined || isProviderType(id)) continue;
      findings.push({
        pointer: pointerOf('providers', id),
        part: 'key',
        message: `unknown provider id "${id}" (a custom id needs type:)`,
        hint: `${suggestKnown(id)}Known ids: ${KNOWN_PROVIDER_TYPES.join(', ')}; or add type: <known id>.`,
      });
    }
    const declaredIds = new Set(declared);
    const report = (id: string, pointer: string): void => {
      if (declaredIds.has(id) || isProviderType(id)) return;
      findings.push({
        pointer,
        message: `unknown provider "${id}"`,
        hint: `${suggestAny(id)}Use a known provider id or a key of providers.`,
      });
    };
    for (const { target, pointer } of targetsOf(document)) report(target.provider, `${pointer}/provider`);
    for (const { provider, pointer } of fallbacksOf(document)) report(provider, pointer);
    return findings;
  },
};
