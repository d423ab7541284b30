/** route/duplicate-name: two routes with one name (credentials, metrics and audit refer to names). */
import { pointerOf } from '../../../manifest/positions.js';
import type { LintRule } from '../../rule.js';
import { repeats } from '../../walk.js';

export const routeDuplicateNameRule: LintRule = {
  id: 'route/duplicate-name',
  // The interpolated values: a ${VAR:-default} is checked as it will be served.
  check({ resolved: document, positions }) {
    return repeats(document.ai_routes, (route) => route.name).map(({ index, first }) => ({
      pointer: pointerOf('ai_routes', index, 'name'),
      message: `route name "${document.ai_routes[index]?.name ?? ''}" is already used on line ${positions.locate(pointerOf('ai_routes', first, 'name')).line}`,
    }));
  },
};
