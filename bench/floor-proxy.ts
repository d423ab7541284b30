/**
 * The floor: the least a Node AI proxy can do, written for the benchmark. Fastify parses the JSON
 * body (any gateway must read `model` to route), undici posts it to one upstream over a keep-alive
 * Pool, and the upstream's body is piped straight back (streams included). No validation, no
 * translation, no auth, no logging, no audit: whatever aigw costs above this is aigw's own.
 *
 * `buffered` (a reference, not the floor of the targets): a non-stream answer is read whole and sent
 * as one string instead of piped, as aigw does. It measured 6–10 µs less CPU per request than the
 * piping floor (bench/ab.ts --floor --floor-buffered).
 * Run: `node --import tsx bench/floor-proxy.ts --upstream http://127.0.0.1:PORT [--port N] [--buffered]`.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export function createFloorProxy(upstream: string, options: { buffered?: boolean } = {}) {
  const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 60_000 });
  const app = Fastify({ logger: false });
  app.post('/v1/chat/completions', async (request, reply) => {
    const response = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    const type = response.headers['content-type'];
    reply.code(response.statusCode);
    if (typeof type === 'string') reply.header('content-type', type);
    const stream = (request.body as { stream?: unknown } | null)?.stream === true;
    if (options.buffered === true && !stream) return reply.send(await response.body.text());
    return reply.send(response.body);
  });
  app.addHook('onClose', async () => pool.close());
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' }, buffered: { type: 'boolean', default: false } } });
  if (values.upstream === undefined) throw new Error('--upstream is required');
  const app = createFloorProxy(values.upstream, { buffered: values.buffered });
  await app.listen({ port: Number(values.port), host: '127.0.0.1' });
  process.on('SIGTERM', () => process.exit(0));
}
