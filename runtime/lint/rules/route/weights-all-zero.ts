/** route/weights-all-zero: no target can be picked first when every weight is 0. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';

export const routeWeightsAllZeroRule: LintRule = {
  id: 'route/weights-all-zero',
  check({ document }) {
    return document.ai_routes.flatMap((route, index) =>
      route.targets.every((target) => target.weight === 0)
        ? [{ pointer: pointerOf('ai_routes', index, 'targets'), part: 'key' as const, message: `every target of route "${route.name}" has weight 0` }]
        : []);
  },
};
