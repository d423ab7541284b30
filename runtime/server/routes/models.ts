/**
 * GET /v1/models: the models this caller may request — one per route its credential may use — in
 * OpenAI's list shape, so `client.models.list()` works unchanged.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
import type { FastifyInstance } from 'fastify';
import type { ConfigHolder } from '../live-config.js';
import { authenticate } from '../plugins/credentials.js';

export function registerModelsRoute(app: FastifyInstance, config: ConfigHolder): void {
  app.get('/v1/models', async (request) => {
    const live = config.current();
    const credential = authenticate(request.headers.authorization, live);
    const created = Math.floor(live.loadedAt / 1000);
    const data = live.manifest.routes
      .filter((route) => credential?.routes === undefined || credential.routes.includes(route.name))
      .map((route) => ({ id: route.match.model, object: 'model' as const, created, owned_by: 'aigw' }));
    return { object: 'list' as const, data };
  });
}
