/**
 * Builds the gateway's Fastify app from its dependencies; never listens (tests use inject() or listen
 * on 127.0.0.1:0 themselves; `aigw serve` listens). Route groups are registered as functions of
 * (app, deps); cross-cutting hooks live here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { CLIENT_CLOSED_STATUS } from '../routing/engine.js';
import type { GatewayDeps } from './gateway-deps.js';
import { newTrace } from './gateway-deps.js';
import { AigwError, ERRORS, isAigwError } from '../errors.js';
import { authenticate } from './plugins/credentials.js';
import { answerClientError, timedOutSocket } from './client-error.js';
import { createCorsPolicy } from './cors.js';
import { registerErrorHandling, sendError, sendNotFound } from './plugins/error-handler.js';
import { requestIdFrom } from './plugins/request-id.js';
import { lazyChildLogger } from './lazy-child-logger.js';
import { NO_ROUTE_SCHEMAS } from './no-route-schemas.js';
import { finishRequest } from './request-finish.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { closeWhenQueuedConnectionCloses } from './queued-response-close.js';
import { discardUnreadBody } from './discard-unread-body.js';
import { answerNodeAnsweredRequests, missingHost, SERVER_HTTP_OPTIONS } from './node-answered-requests.js';
import { registerChatCompletionsRoute } from './routes/chat-completions.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerModelsRoute } from './routes/models.js';

export interface BuildAppOptions {
  readonly bodyLimit: number;
  /** pino options, `false` for none (tests). */
  readonly logger: NonNullable<FastifyServerOptions['logger']>;
  /** True once SIGTERM started the drain: /readyz turns 503 so traffic moves away first. */
  readonly draining: () => boolean;
  /** Time to receive a whole request (default REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number;
  /** Tests only: how often Node checks requests against the request timeout (default 30 s, Node's). */
  readonly requestTimeoutCheckMs?: number;
  /** AIGW_CORS_ORIGINS: browser origins allowed to call the API (empty or absent: CORS off). */
  readonly corsOrigins?: string;
}

/**
 * Time to receive a whole request, headers and body (Node's `requestTimeout`): a client that stops
 * sending mid-body must not hold its socket and buffer for ever. It bounds receiving only, never the
 * answer, so streams of any length are unaffected. 4 MiB (the default body limit) at 100 KB/s fits.
 */
export const REQUEST_TIMEOUT_MS = 60_000;
/** How often Node looks for requests past their timeout (its own default, 30 s, let a 408 come 90 s in). */
export const REQUEST_TIMEOUT_CHECK_MS = 2_000;

/** The raw request, with its Fastify request attached (onRequest) for the shared 'close' listener. */
type RawRequest = IncomingMessage & { aigwRequest?: FastifyRequest };

const CHAT_PATH = '/v1/chat/completions';

/**
 * A request for the chat route, as Fastify routed it: it decodes the path (`/v1/chat/%63ompletions`)
 * and takes the absolute form (`POST http://host/v1/chat/completions`), so a string test of the URL
 * would let those skip the key check before the body and the audit. The chat route is the only POST
 * route of this app (onRoute below refuses another), so a POST that matched a route is a chat request.
 * /v1/chat/completionsX, and GET, HEAD or OPTIONS on the path, match no route: a 404 like any unknown
 * endpoint, not authenticated first (a 401 would say the key is what is wrong) and not audited.
 */
function isChatRequest(request: FastifyRequest): boolean {
  return request.method === 'POST' && !request.is404;
}

/**
 * Authenticates a chat request from its headers against the live config; the handler reuses the
 * result when the config has not changed since. False (the trace says why) for a missing or unknown key.
 */
function authenticateEarly(request: FastifyRequest, deps: GatewayDeps): boolean {
  const live = deps.config.current();
  const trace = request.aigwTrace;
  // The request's snapshot is taken here, at its start: a reload while its body uploads must not
  // change the config it was accepted under (design §6).
  trace.live = live;
  try {
    trace.credential = authenticate(request.headers.authorization, live);
    trace.authenticatedAgainst = live;
    return true;
  } catch (error) {
    if (!isAigwError(error)) throw error;
    trace.errorCode = error.code;
    trace.errorMessage = error.message;
    return false;
  }
}

/**
 * Probes and scrapes: answered while draining (readiness turns 503 there; liveness and metrics stay
 * up), and not counted in the in-flight gauge (a scrape would otherwise always see itself).
 */
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function isProbePath(url: string): boolean {
  const query = url.indexOf('?');
  return PROBE_PATHS.has(query === -1 ? url : url.slice(0, query));
}

/** Header names pino must never print. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["api-key"]', 'req.headers["x-goog-api-key"]',
  'headers.authorization', 'headers["x-api-key"]', 'headers["api-key"]',
];

export function buildApp(deps: GatewayDeps, options: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    genReqId: (request) => requestIdFrom(request.headers['x-request-id']),
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    http: {
      ...SERVER_HTTP_OPTIONS,
      // Node's headers timeout (60 s) also cuts a body that stalls, so it follows a shorter request timeout.
      headersTimeout: Math.min(60_000, options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: options.requestTimeoutCheckMs ?? REQUEST_TIMEOUT_CHECK_MS,
    },
    // Requests Node cannot parse or did not receive in time, and URLs Fastify cannot decode, get the envelope too.
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      // The request is well framed (only its URL is not): its body is read past, the connection kept.
      discardUnreadBody(request.raw, reply.raw);
      sendError(reply, new AigwError(ERRORS.MALFORMED_HTTP, `The request URL is not valid: ${error.message}`));
    },
    // Fastify's two info lines per request cost two log writes on the hot path (issue 8 profile) and
    // repeat the audit record; one line at debug level below replaces them.
    logController: new LogController({ disableRequestLogging: true }),
    // While draining, requests on kept-alive sockets get our own 503 envelope (onRequest below).
    return503OnClosing: false,
    // A request's child logger is made when it first logs (most never do).
    childLoggerFactory: lazyChildLogger,
    schemaController: NO_ROUTE_SCHEMAS,
    // Prototype keys are refused by the request validator (find-unsafe-json.ts) with a 400 that names
    // the key and its path; Fastify's own check would call the valid JSON "not valid JSON".
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  app.decorateRequest('aigwTrace', null as never);
  answerNodeAnsweredRequests(app.server);
  const cors = createCorsPolicy(options.corsOrigins ?? '');
  // One listener for every response ('close' comes once each): no closure per request. A chat request
  // whose client left before the handler started (mid-body) gets no onResponse: its record is written
  // here, status 499. Once the handler started, the handler writes it.
  function responseClosed(this: ServerResponse): void {
    deps.metrics.inflightRequests.dec();
    if (this.writableFinished) return;
    const request = (this.req as RawRequest).aigwRequest;
    if (request === undefined || request.aigwTrace.entered || !isChatRequest(request)) return;
    // Node gave up waiting for the body (the request timeout), or the client left.
    const timedOut = timedOutSocket(request.raw.socket);
    request.aigwTrace.clientClosedEarly = !timedOut;
    if (timedOut) request.aigwTrace.errorCode = ERRORS.REQUEST_TIMEOUT.code;
    finishRequest(request, timedOut ? ERRORS.REQUEST_TIMEOUT.status : CLIENT_CLOSED_STATUS, deps);
  }
  // Callback-style hooks: no promise and no extra microtask turn per request (issue 8 profile).
  app.addHook('onRequest', (request, reply, done) => {
    request.aigwTrace = newTrace(deps.clock);
    (request.raw as RawRequest).aigwRequest = request;
    reply.header('x-request-id', request.id);
    const probe = isProbePath(request.url);
    if (!probe) {
      deps.metrics.inflightRequests.inc();
      reply.raw.on('close', responseClosed);
    }
    closeWhenQueuedConnectionCloses(reply.raw, request.raw.socket);
    // First of all answers, so that a browser can read the 401 and the 503 below too; a preflight ends here.
    if (cors !== undefined && cors.apply(request, reply)) return;
    if (missingHost(request.raw)) {
      reply.header('connection', 'close');
      sendError(reply, new AigwError(ERRORS.MALFORMED_HTTP, 'The request has no Host header, which HTTP/1.1 requires.'));
      return;
    }
    if (options.draining() && !probe) {
      // The listener is closed; a request on a kept-alive socket is refused so that the client's
      // retry opens a new connection (to another replica), and the socket closes after this answer.
      reply.header('connection', 'close');
      sendError(reply, new AigwError(ERRORS.SHUTTING_DOWN, 'The gateway is shutting down; retry the request.'));
      return;
    }
    // The key is checked before the body is read: a client without a valid key cannot make the
    // gateway buffer a body (up to the body limit) on its behalf.
    if (isChatRequest(request) && !authenticateEarly(request, deps)) {
      discardUnreadBody(request.raw, reply.raw);
      sendError(reply, new AigwError(ERRORS.UNAUTHENTICATED, request.aigwTrace.errorMessage ?? 'Incorrect API key provided.'));
      return;
    }
    // Nor can an unknown path: its 404 goes out before the body, which is then thrown away.
    if (request.is404) {
      discardUnreadBody(request.raw, reply.raw);
      sendNotFound(request, reply);
      return;
    }
    done();
  });
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().includes('POST') && route.url !== CHAT_PATH) {
      throw new Error(`POST ${route.url}: isChatRequest takes every routed POST for the chat route; teach it this one first`);
    }
  });
  // Requests that never reached the chat handler (malformed JSON, body too large) are audited here.
  app.addHook('onResponse', (request, reply, done) => {
    if (isChatRequest(request) && !request.aigwTrace.handled) finishRequest(request, reply.statusCode, deps);
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      // The path only: a query string may carry a key (`?key=`, a misconfigured client).
      request.log.debug({ method: request.method, path: request.url.split('?')[0], statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed');
    }
    done();
  });
  registerErrorHandling(app);
  registerJsonBodyParser(app);
  registerChatCompletionsRoute(app, deps);
  registerModelsRoute(app, deps.config);
  registerHealthRoutes(app, {
    problems: () => [...(options.draining() ? ['draining'] : []), ...(deps.readinessProblems?.() ?? [])],
    details: () => deps.readinessDetails?.() ?? {},
  });
  registerMetricsRoute(app, deps.metrics.registry);
  return app;
}
