/**
 * GET /v1/models: the models this caller may request — one per route its credential may use — in
 * OpenAI's list shape, so `client.models.list()` works unchanged.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AigwError, ERRORS } from '../../errors.js';
import type { ConfigHolder } from '../live-config.js';
import { authenticate } from '../plugins/credentials.js';

interface ModelObject {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: 'aigw';
}

/** The models the caller's credential may use (401 for a missing or unknown key, as for chat). */
function visibleModels(request: FastifyRequest, config: ConfigHolder): ModelObject[] {
  const live = config.current();
  const credential = authenticate(request.headers.authorization, live);
  const created = Math.floor(live.loadedAt / 1000);
  return live.manifest.routes
    .filter((route) => credential?.routes === undefined || credential.routes.includes(route.name))
    .map((route) => ({ id: route.match.model, object: 'model' as const, created, owned_by: 'aigw' as const }));
}

export function registerModelsRoute(app: FastifyInstance, config: ConfigHolder): void {
  app.get('/v1/models', async (request) => ({ object: 'list' as const, data: visibleModels(request, config) }));
  // `client.models.retrieve(id)`; a wildcard because model names may contain '/'. A model the key may
  // not use is as unknown as one no route serves.
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const id = request.params['*'];
    const model = visibleModels(request, config).find((entry) => entry.id === id);
    if (model === undefined) throw new AigwError(ERRORS.MODEL_NOT_FOUND, `The model '${id.slice(0, 256)}' does not exist or you do not have access to it.`, { param: 'model' });
    return model;
  });
}
