/** route/fallback-format: a fallback must be provider/model (split on the first '/'). */
import { pointerOf } from '../../../manifest/positions.js';
import { splitProviderModel } from '../../../manifest/provider-catalog.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';

export const routeFallbackFormatRule: LintRule = {
  id: 'route/fallback-format',
  // The interpolated value: "ollama/${MODEL:-}" is served as "ollama/", which names no model.
  check({ resolved: document }) {
    const findings: Finding[] = [];
    for (const [index, route] of document.ai_routes.entries()) {
      if (route.fallback === undefined || splitProviderModel(route.fallback) !== undefined || isUnresolvedReference(route.fallback)) continue;
      findings.push({ pointer: pointerOf('ai_routes', index, 'fallback'), message: `fallback ${JSON.stringify(route.fallback)} of route "${route.name}" is not provider/model` });
    }
    return findings;
  },
};
