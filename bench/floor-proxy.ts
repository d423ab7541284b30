/**
 * The floor: the least a Node AI proxy can do, written for the benchmark. Fastify parses the JSON
 * body (any gateway must read `model` to route), undici posts it to one upstream over a keep-alive
 * Pool, and the upstream's body is piped straight back (streams included). No validation, no
 * translation, no auth, no logging, no audit: whatever aigw costs above this is aigw's own.
 *
 * `buffered` (a reference, not the floor of the targets): a non-stream answer is read whole and sent
 * as one string instead of piped, as aigw does. It measured 6–10 µs less CPU per request than the
 * piping floor (bench/ab.ts --floor --floor-buffered).
 * `auditFile` (a reference, not the floor of the targets): the floor plus what design §5 asks of every
 * request, one JSON audit line of aigw's size and kind (ids, ISO times, the prompt's sha256, model,
 * status, duration) appended to a file in 10 ms batches (bench/ab.ts --floor-audit).
 * Run: `node --import tsx bench/floor-proxy.ts --upstream http://127.0.0.1:PORT [--port N] [--buffered] [--audit-file F]`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** One JSON line per request, appended in 10 ms batches: the audit of design §5 at its plainest. */
function createAuditLines(file: string): { add(line: string): void; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = (): void => {
    timer = undefined;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    handle ??= open(file, 'a');
    writing = writing.then(async () => (await handle)?.appendFile(text));
  };
  return {
    add(line) {
      pending.push(line);
      timer ??= setTimeout(flush, 10);
    },
    async close() {
      if (timer !== undefined) { clearTimeout(timer); flush(); }
      await writing;
      await (await handle)?.close();
    },
  };
}

export function createFloorProxy(upstream: string, options: { buffered?: boolean; auditFile?: string } = {}) {
  const pool = new Pool(upstream, { connections: 256, keepAliveTimeout: 60_000 });
  const app = Fastify({ logger: false });
  const audit = options.auditFile === undefined ? undefined : createAuditLines(options.auditFile);
  if (audit !== undefined) {
    app.addHook('onResponse', (request, reply, done) => {
      const body = request.body as { model?: unknown; messages?: unknown; stream?: unknown } | null;
      const started = Date.now() - reply.elapsedTime;
      audit.add(JSON.stringify({
        '@timestamp': new Date(started).toISOString(), ecs: { version: '8.11.0' },
        event: { id: randomUUID(), kind: 'event', category: ['web'], type: ['access'], dataset: 'floor.audit', outcome: reply.statusCode < 400 ? 'success' : 'failure', start: new Date(started).toISOString(), end: new Date().toISOString(), duration: Math.round(reply.elapsedTime * 1e6) },
        http: { request: { id: request.id, method: request.method }, response: { status_code: reply.statusCode } }, url: { path: request.url },
        client: { address: request.ip }, user_agent: { original: request.headers['user-agent'] }, transaction: { id: request.id },
        gen_ai: { system: 'openai', operation: { name: 'chat' }, request: { model: body?.model } },
        floor: { upstream, stream: body?.stream === true, duration_ms: reply.elapsedTime, prompt: { capture: 'hash', sha256: createHash('sha256').update(JSON.stringify(body?.messages ?? null)).digest('hex') } },
      }));
      done();
    });
    app.addHook('onClose', async () => audit.close());
  }
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
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' }, buffered: { type: 'boolean', default: false }, 'audit-file': { type: 'string' } } });
  if (values.upstream === undefined) throw new Error('--upstream is required');
  const app = createFloorProxy(values.upstream, { buffered: values.buffered, ...(values['audit-file'] === undefined ? {} : { auditFile: values['audit-file'] }) });
  await app.listen({ port: Number(values.port), host: '127.0.0.1' });
  process.on('SIGTERM', () => process.exit(0));
}
