/** route/latency-exceeds-timeout: a latency budget above the route deadline can never fire. */
import { ROUTE_DEFAULTS } from '../../../manifest/types.js';
import type { Finding, LintRule } from '../../rule.js';
import { targetsOf } from '../../walk.js';

export const routeLatencyExceedsTimeoutRule: LintRule = {
  id: 'route/latency-exceeds-timeout',
  check({ document }) {
    const findings: Finding[] = [];
    for (const { target, pointer, route } of targetsOf(document)) {
      const timeout = route.timeout_ms ?? ROUTE_DEFAULTS.timeoutMs;
      if (target.max_latency_ms === undefined || target.max_latency_ms <= timeout) continue;
      findings.push({
        pointer: `${pointer}/max_latency_ms`,
        message: `max_latency_ms ${target.max_latency_ms} of ${target.provider}/${target.model} is above the timeout_ms ${timeout}${route.timeout_ms === undefined ? ' (default)' : ''} of route "${route.name}"`,
      });
    }
    return findings;
  },
};
