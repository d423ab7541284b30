/** provider/unused: a declared provider entry no target or fallback references. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { referencedProviders } from '../../walk.js';

export const providerUnusedRule: LintRule = {
  id: 'provider/unused',
  check({ document }) {
    const used = referencedProviders(document);
    return Object.keys(document.providers ?? {})
      .filter((id) => !used.has(id))
      .map((id) => ({ pointer: pointerOf('providers', id), part: 'key' as const, message: `provider "${id}" is not used by any route` }));
  },
};
