/**
 * `aigw mock`: one Fastify app that speaks every provider's native chat API under `/<provider-id>/…`
 * (real paths, see mock-base-url.ts), answering from the recorded fixtures. Per request: parse, pick
 * the fault, check auth and required fields as the provider does, then replay the answer on its
 * recorded schedule. Built here, listened on elsewhere (style §E); tests use inject() or port 0.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ProviderType } from '../adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';
import { realClock, type Clock } from '../clock.js';
import { createFaultBook, FaultSpecError, parseFault, type FaultBook, type FaultSpec } from './faults.js';
import { chooseAnswer } from './choose-answer.js';
import { loadFixtureIndex, type FixtureIndex } from './fixture-index.js';
import type { FixtureWire } from './fixture-wire.js';
import { basePath, isProviderType } from './mock-base-url.js';
import { createErrorBuilder } from './provider-errors.js';
import { matchEndpoint } from './provider-endpoints.js';
import { replay } from './replay.js';
import { parseBody, requestFacts, type RequestFacts } from './request-checks.js';
import { createRequestLog, maskHeaders, maskPath, type MockLogEntry, type RequestLog } from './request-log.js';
import { NO_ROUTE_SCHEMAS } from '../server/no-route-schemas.js';

export const FAULT_HEADER = 'x-aigw-mock-fault';

export interface MockAppOptions {
  /** A loaded index, or a fixtures folder (default: the bundled fixtures). */
  readonly fixtures?: FixtureIndex | string;
  /** Replay speed: 2 = twice as fast, 0 = no recorded delays (default 1). */
  readonly speed?: number;
  /** Global faults (parsed specs or spec strings). */
  readonly faults?: readonly (FaultSpec | string)[];
  /** Pass one in to read or change it from outside (start-mock does). */
  readonly requestLog?: RequestLog;
  readonly faultBook?: FaultBook;
  readonly clock?: Clock;
}

const BODY_LIMIT = 64 * 1024 * 1024;

function mockError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ error: { message: `aigw mock: ${message}`, type: 'aigw_mock_error', param: null, code: null } });
}

/** Bodies kept in the log whole up to this size; larger ones as a note (the log holds 10 000 entries). */
const LOGGED_BODY_BYTES = 256 * 1024;

function bodyForLog(bytes: Uint8Array): unknown {
  if (bytes.length > LOGGED_BODY_BYTES) return { aigw_mock_body_omitted: true, bytes: bytes.length };
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The mock's own endpoints: the request log and the global fault list. */
function registerControlRoutes(app: FastifyInstance, log: RequestLog, faults: FaultBook): void {
  app.get('/__mock/log', async () => ({ entries: log.entries() }));
  app.delete('/__mock/log', async (_request, reply) => {
    log.clear();
    return reply.code(204).send();
  });
  app.get('/__mock/faults', async () => ({ faults: faults.list().map((fault) => fault.text) }));
  app.put('/__mock/faults', async (request, reply) => {
    const parsed = parseBody(request.body instanceof Uint8Array ? request.body : new Uint8Array());
    const list = parsed.ok ? parsed.body['faults'] : undefined;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) return mockError(reply, 400, 'expected {"faults": ["spec", …]}');
    try {
      faults.replace(list.map((item) => parseFault(item)));
    } catch (error) {
      if (error instanceof FaultSpecError) return mockError(reply, 400, error.message);
      throw error;
    }
    return { faults: faults.list().map((fault) => fault.text) };
  });
}

export function buildMockApp(options: MockAppOptions = {}): FastifyInstance {
  const index = typeof options.fixtures === 'object' ? options.fixtures : loadFixtureIndex(options.fixtures);
  const clock = options.clock ?? realClock;
  const speed = options.speed ?? 1;
  if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`speed must be a number >= 0, got ${speed}`);
  const log = options.requestLog ?? createRequestLog();
  const faults = options.faultBook ?? createFaultBook([], () => clock.monotonic());
  if (options.faults !== undefined) faults.replace(options.faults.map((fault) => (typeof fault === 'string' ? parseFault(fault) : fault)));
  const buildError = createErrorBuilder(index);

  // forceCloseConnections: a `no_answer` request would otherwise hold close() forever.
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, forceCloseConnections: true, schemaController: NO_ROUTE_SCHEMAS });
  // The raw bytes are needed as sent (SigV4 signs them); JSON is parsed per provider below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  registerControlRoutes(app, log, faults);

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const arrivedAt = clock.monotonic();
    const rawUrl = request.raw.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    const providerId = path.split('/')[1] ?? '';
    if (!isProviderType(providerId)) return mockError(reply, 404, `no provider "${providerId}" (serve /<provider-id>/… with a provider type)`);
    const provider: ProviderType = providerId;
    const bytes = request.body instanceof Uint8Array ? request.body : new Uint8Array();
    const entry = log.add({
      receivedAt: new Date(clock.now()).toISOString(), method: request.method, path: maskPath(rawUrl), provider,
      model: null, headers: maskHeaders(request.headers), body: bodyForLog(bytes), fault: null, status: null,
      outcome: null, chunksSent: 0, completed: false, clientClosed: null,
    });

    const base = basePath(PROVIDER_DEFAULTS[provider].baseUrl);
    const rest = path.slice(providerId.length + 1);
    const endpoint = rest.startsWith(base) ? matchEndpoint(provider, rest.slice(base.length), query) : undefined;
    const parsed = parseBody(bytes);
    const facts: RequestFacts | undefined = endpoint !== undefined && parsed.ok ? requestFacts(provider, endpoint, parsed.body) : undefined;
    entry.model = facts?.model ?? endpoint?.pathModel ?? null;

    let fault: FaultSpec | undefined;
    const header = request.headers[FAULT_HEADER];
    try {
      fault = typeof header === 'string' ? parseFault(header) : faults.select({ provider, model: entry.model ?? undefined });
    } catch (error) {
      if (!(error instanceof FaultSpecError)) throw error;
      entry.outcome = 'bad-fault';
      entry.status = 400;
      return mockError(reply, 400, `bad ${FAULT_HEADER}: ${error.message}`);
    }
    entry.fault = fault?.text ?? null;

    const received = { method: request.method, rawUrl, headers: request.headers, body: bytes };
    const answer = await chooseAnswer({ provider, endpoint, received, query, parsed, facts, fault }, index, buildError);
    entry.outcome = answer.outcome;
    await send(reply, answer.wire, entry, { fault, arrivedAt });
    return undefined;
  };

  /** Hijacks the reply and replays the answer, logging the head, the chunks and a client hang-up. */
  const send = async (reply: FastifyReply, wire: FixtureWire, entry: MockLogEntry, timing: { fault: FaultSpec | undefined; arrivedAt: number }): Promise<void> => {
    reply.hijack();
    const response = reply.raw;
    const closed = new AbortController();
    let selfReset = false;
    response.on('close', () => {
      if (!response.writableEnded && !selfReset) {
        entry.clientClosed = { atMs: clock.monotonic() - timing.arrivedAt, midStream: response.headersSent, chunksSent: entry.chunksSent };
      }
      closed.abort();
    });
    const end = await replay(response, wire, {
      clock, startedAt: timing.arrivedAt, speed, fault: timing.fault, signal: closed.signal,
      onHead: (status) => { entry.status = status; },
      onChunk: () => { entry.chunksSent += 1; },
      onSelfReset: () => { selfReset = true; },
    });
    entry.completed = end === 'completed';
    if (end !== 'completed' && end !== 'client-closed') entry.outcome = end;
  };

  app.post('/*', handle);
  app.setNotFoundHandler((request, reply) => mockError(reply, 404, `no route ${request.method} ${request.url}`));
  return app;
}

export type { MockLogEntry };
