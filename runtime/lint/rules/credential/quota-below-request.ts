/**
 * credential/quota-below-request: a credential whose tokens_per_minute is below what one request
 * reserves on a route it may use when the request sets no max_tokens (the route's default_max_tokens,
 * before the prompt's own tokens): every such request is refused with a 429 no retry can pass.
 */
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';

export const credentialQuotaBelowRequestRule: LintRule = {
  id: 'credential/quota-below-request',
  check({ manifest }) {
    const findings: Finding[] = [];
    for (const [index, credential] of (manifest.credentials ?? []).entries()) {
      const perMinute = credential.quota?.tokensPerMinute;
      if (perMinute === undefined) continue;
      const allowed = manifest.routes.filter((route) => credential.routes === undefined || credential.routes.includes(route.name));
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
