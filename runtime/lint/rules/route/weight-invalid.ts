/** route/weight-invalid: weights are whole numbers >= 0 (relative shares). */
import type { Finding, LintRule } from '../../rule.js';
import { targetsOf } from '../../walk.js';

export const routeWeightInvalidRule: LintRule = {
  id: 'route/weight-invalid',
  check({ document }) {
    const findings: Finding[] = [];
    for (const { target, pointer, route } of targetsOf(document)) {
      const weight = target.weight;
      if (weight === undefined || (Number.isInteger(weight) && weight >= 0)) continue;
      findings.push({
        pointer: `${pointer}/weight`,
        message: `weight ${weight} of ${target.provider}/${target.model} in route "${route.name}" is ${weight < 0 ? 'negative' : 'not a whole number'}`,
      });
    }
    return findings;
  },
};
