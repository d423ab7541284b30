/** route/unreachable: the first matching route wins, so a later route matching the same model never runs. */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const routeUnreachableRule: LintRule = {
  id: 'route/unreachable',
  // The interpolated values: a ${VAR:-default} is checked as it will be served.
  check({ resolved: document, positions }) {
    const routes = document.ai_routes;
    return repeats(routes, (route) => route.match.model).map(({ index, first }) => {
      const line = positions.locate(pointerOf('ai_routes', first, 'match', 'model')).line;
      return {
        pointer: pointerOf('ai_routes', index, 'match', 'model'),
        message: `route "${routes[index]?.name ?? ''}" is unreachable: route "${routes[first]?.name ?? ''}" (line ${line}) already matches model "${routes[index]?.match.model ?? ''}"`,
      };
    });
  },
};
