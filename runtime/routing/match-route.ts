/**
 * Design §3.1: the first route whose `match` accepts the request. No match is OpenAI's own 404
 * `model_not_found`, naming only the model the client sent (never the routes, providers or keys).
 */
import { AigwError, ERRORS } from '../errors.js';
import type { Manifest, Route } from '../manifest/types.js';

/** Why a route matched, for dry-run: its position and the matcher that accepted. */
export interface RouteMatch {
  readonly route: Route;
  /** Zero-based position in `ai_routes`. */
  readonly index: number;
  readonly reason: string;
}

export function matchRoute(manifest: Manifest, model: string): Route | AigwError {
  const match = explainMatch(manifest, model);
  return match instanceof AigwError ? match : match.route;
}

/** Per manifest, each model's first route: a lookup per request, not a pass over every route (2 000 routes: 6 µs). */
const firstRouteByModel = new WeakMap<Manifest, ReadonlyMap<string, number>>();

function firstRouteIndex(manifest: Manifest, model: string): number {
  let byModel = firstRouteByModel.get(manifest);
  if (byModel === undefined) {
    const built = new Map<string, number>();
    manifest.routes.forEach((route, index) => {
      if (!built.has(route.match.model)) built.set(route.match.model, index);
    });
    firstRouteByModel.set(manifest, built);
    byModel = built;
  }
  return byModel.get(model) ?? -1;
}

export function explainMatch(manifest: Manifest, model: string): RouteMatch | AigwError {
  const index = firstRouteIndex(manifest, model);
  const route = manifest.routes[index];
  if (route === undefined) return modelNotFound(model);
  const earlier = index === 0 ? 'the first route' : `the first of ${manifest.routes.length} routes`;
  return { route, index, reason: `match.model == ${JSON.stringify(model)} (${earlier} that accepts it)` };
}

export function modelNotFound(model: string): AigwError {
  // OpenAI's wording for an unknown model; the model is the client's own input, the only thing echoed.
  return new AigwError(ERRORS.MODEL_NOT_FOUND, `The model \`${model.slice(0, 256)}\` does not exist or you do not have access to it.`, { param: 'model' });
}
