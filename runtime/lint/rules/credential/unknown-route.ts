/** credential/unknown-route: an allow-list entry naming no route. */
import { pointerOf } from '../../../manifest/positions.js';
import { createSuggester } from '../../did-you-mean.js';
import type { Finding, LintRule } from '../../rule.js';

export const credentialUnknownRouteRule: LintRule = {
  id: 'credential/unknown-route',
  // The interpolated names, on both sides: a route "${ROUTE:-chat}" is served as chat.
  check({ resolved: document }) {
    const names = document.ai_routes.map((route) => route.name);
    const known = new Set(names);
    const suggest = createSuggester(names);
    const findings: Finding[] = [];
    for (const [index, credential] of (document.credentials ?? []).entries()) {
      for (const [routeIndex, name] of (credential.routes ?? []).entries()) {
        if (known.has(name)) continue;
        findings.push({
          pointer: pointerOf('credentials', index, 'routes', routeIndex),
          message: `credential "${credential.id}" allows route "${name}", which is not defined`,
          hint: `${suggest(name)}Routes: ${names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ')}.`,
        });
      }
    }
    return findings;
  },
};
