/**
 * route/weight-invalid: weights are whole numbers from 0 to MAX_WEIGHT (relative shares). The bound
 * keeps a route's sum of weights exact: weights of 1e308 summed to Infinity, and serve, simulate and
 * dry-run then each picked differently (0 % everywhere, or all traffic to the smallest weight).
 */
import type { Finding, LintRule } from '../../rule.js';
import { targetsOf } from '../../walk.js';

export const MAX_WEIGHT = 1_000_000;

export const routeWeightInvalidRule: LintRule = {
  id: 'route/weight-invalid',
  check({ document }) {
    const findings: Finding[] = [];
    for (const { target, pointer, route } of targetsOf(document)) {
      const weight = target.weight;
      if (weight === undefined || (Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT)) continue;
      findings.push({
        pointer: `${pointer}/weight`,
        message: `weight ${weight} of ${target.provider}/${target.model} in route "${route.name}" is ${weight < 0 ? 'negative' : !Number.isInteger(weight) ? 'not a whole number' : `above ${MAX_WEIGHT}`}`,
      });
    }
    return findings;
  },
};
