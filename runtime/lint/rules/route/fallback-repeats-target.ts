/** route/fallback-repeats-target: targets are tried before the fallback, so repeating one adds nothing. */
import type { Finding, LintRule } from '../../rule.js';
import { fallbacksOf } from '../../walk.js';

export const routeFallbackRepeatsTargetRule: LintRule = {
  id: 'route/fallback-repeats-target',
  // The interpolated values: a ${VAR:-default} is checked as it will be served.
  check({ resolved: document }) {
    const findings: Finding[] = [];
    for (const { route, provider, model, pointer } of fallbacksOf(document)) {
      if (!route.targets.some((target) => target.provider === provider && target.model === model)) continue;
      findings.push({ pointer, message: `fallback ${provider}/${model} of route "${route.name}" is already one of its targets` });
    }
    return findings;
  },
};
