/** route/duplicate-target: the same provider/model twice in one route splits its share confusingly. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const routeDuplicateTargetRule: LintRule = {
  id: 'route/duplicate-target',
  // The interpolated values: a ${VAR:-default} is checked as it will be served.
  check({ resolved: document }) {
    return document.ai_routes.flatMap((route, routeIndex) =>
      repeats(route.targets, (target) => `${target.provider}/${target.model}`).map(({ index }) => ({
        pointer: pointerOf('ai_routes', routeIndex, 'targets', index),
        message: `route "${route.name}" lists ${route.targets[index]?.provider ?? ''}/${route.targets[index]?.model ?? ''} twice`,
      })));
  },
};
