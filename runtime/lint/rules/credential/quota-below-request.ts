/**
 * credential/quota-below-request: a credential whose tokens_per_minute is below what one request
 * reserves on a route it may use when the request sets no max_tokens (the route's default_max_tokens,
 * before the prompt's own tokens): every such request is refused with a 429 no retry can pass.
 */
import { pointerOf } from '../../../manifest/positions.js';
import type { Manifest, Route } from '../../../manifest/types.js';
import type { Finding, LintRule } from '../../rule.js';

export const credentialQuotaBelowRequestRule: LintRule = {
  id: 'credential/quota-below-request',
  check({ manifest }) {
    const findings: Finding[] = [];
    // Linear in routes + credentials (it runs on every reload): a quota above every route's default
    // blocks nothing, and an allow-list is looked up by name instead of searched per route.
    let largest = 0;
    for (const route of manifest.routes) largest = Math.max(largest, route.defaultMaxTokens);
    let positions: ReadonlyMap<string, readonly number[]> | undefined;
    for (const [index, credential] of (manifest.credentials ?? []).entries()) {
      const perMinute = credential.quota?.tokensPerMinute;
      if (perMinute === undefined || perMinute > largest) continue;
      positions ??= routePositions(manifest);
      const allowed = credential.routes === undefined ? manifest.routes : allowedRoutes(manifest, positions, credential.routes);
      const blocked = allowed.filter((route) => route.defaultMaxTokens >= perMinute);
      if (blocked.length === 0) continue;
      findings.push({
        pointer: pointerOf('credentials', index, 'quota', 'tokens_per_minute'),
        message: `credential "${credential.id}" has tokens_per_minute ${perMinute}, but a request without max_tokens reserves ${blocked[0]?.defaultMaxTokens ?? 0} tokens plus its prompt on route "${blocked[0]?.name ?? ''}"${blocked.length > 1 ? ` (and ${blocked.length - 1} more route${blocked.length > 2 ? 's' : ''})` : ''}: such requests are always refused (429)`,
      });
    }
    return findings;
  },
};

/** Route name → its positions in ai_routes (a duplicated name, an error of its own, keeps them all). */
function routePositions(manifest: Manifest): ReadonlyMap<string, readonly number[]> {
  const positions = new Map<string, number[]>();
  manifest.routes.forEach((route, position) => {
    const known = positions.get(route.name);
    if (known === undefined) positions.set(route.name, [position]);
    else known.push(position);
  });
  return positions;
}

/** The routes an allow-list names, in manifest order, each once. */
function allowedRoutes(manifest: Manifest, positions: ReadonlyMap<string, readonly number[]>, names: readonly string[]): Route[] {
  const chosen = new Set<number>();
  for (const name of names) for (const position of positions.get(name) ?? []) chosen.add(position);
  return [...chosen].sort((a, b) => a - b).map((position) => manifest.routes[position] as Route);
}
