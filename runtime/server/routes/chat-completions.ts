/**
 * POST /v1/chat/completions: snapshot the live config, authenticate, validate, match a route,
 * check the route allow-list and the credential quota, then hand the request to the one routing
 * engine (design §3) — non-stream answers as JSON, streams through the SSE sink. Every outcome,
 * rejections included, ends in exactly one audit record.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AigwError, ERRORS } from '../../errors.js';
import type { Credential, Route } from '../../manifest/types.js';
import type { ChatCompletionRequest } from '../../openai/wire.js';
import { choicesOf, reservationTokens } from '../../quota/estimate-tokens.js';
import type { Reservation } from '../../quota/limiter.js';
import { matchRoute } from '../../routing/match-route.js';
import type { AttemptRecord, EngineResult } from '../../routing/types.js';
import type { LiveConfig } from '../live-config.js';
import { promptForLog } from '../prompt-log.js';
import { authenticate, authorizeRoute } from '../plugins/credentials.js';
import { sendError, toAigwError } from '../plugins/error-handler.js';
import { sseErrorTail } from '../../openai/sse-writer.js';
import { createSseSink } from '../sse-sink.js';
import { finishRequest } from '../request-finish.js';
import type { GatewayDeps, RequestTrace } from '../gateway-deps.js';

/** OpenAI SDKs retry 408/409/429/5xx themselves; after the gateway's own attempts that multiplies cost. */
const NO_SDK_RETRY = { 'x-should-retry': 'false' } as const;

/** Ends a request's run early; does nothing once the run is over. */
type StopRun = () => void;

export function registerChatCompletionsRoute(app: FastifyInstance, deps: GatewayDeps): void {
  // The drain deadline (SIGTERM) stops every run in flight: one listener for all of them instead of
  // one per request on the shutdown signal (an EventTarget listener costs about a microsecond).
  const running = new Set<StopRun>();
  const stopAll = (): void => {
    for (const stop of running) stop();
  };
  deps.shutdown?.addEventListener('abort', stopAll, { once: true });
  app.addHook('onClose', (_instance, done) => {
    deps.shutdown?.removeEventListener('abort', stopAll);
    done();
  });
  app.post('/v1/chat/completions', async (request, reply) => {
    const trace = request.aigwTrace;
    // The snapshot onRequest took when the headers arrived (a reload may have landed during the upload).
    const live = trace.live ?? deps.config.current();
    trace.entered = true;
    trace.live = live;
    deps.handlers?.enter();
    try {
      await handle(request, reply, deps, live, trace, running);
    } catch (error) {
      const { error: mapped, unexpected } = toAigwError(error);
      if (unexpected) request.log.error({ err: error }, 'unexpected error in chat completions');
      trace.errorCode = mapped.code;
      trace.errorMessage = mapped.message;
      // A stream already begun was ended in-band by runStream (error event, [DONE]).
      if (!reply.sent && !reply.raw.headersSent) sendError(reply, mapped);
    } finally {
      trace.handled = true;
      try {
        finishRequest(request, reply.statusCode, deps);
      } finally {
        // Whatever recording the request did, it is no longer running (the drain waits for it).
        deps.handlers?.exit();
      }
    }
    return reply;
  });
}

/**
 * The run's stop switch, without an AbortController: the engine hands over its abort function as the
 * run starts (RunInput.onAbortable); a stop before that is remembered and applied then.
 */
function createRunStop(): { readonly stop: StopRun; readonly onAbortable: (abort: () => void) => void } {
  let abortRun: (() => void) | undefined;
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      abortRun?.();
    },
    onAbortable(abort) {
      abortRun = abort;
      if (stopped) abort();
    },
  };
}

async function handle(request: FastifyRequest, reply: FastifyReply, deps: GatewayDeps, live: LiveConfig, trace: RequestTrace, running: Set<StopRun>): Promise<void> {
  // Authenticated in onRequest (before the body was read) against this same config, or again here.
  const credential = trace.authenticatedAgainst === live ? trace.credential : authenticate(request.headers.authorization, live);
  trace.credentialId = credential?.id;
  const body = deps.validateRequest(request.body);
  trace.requestedModel = body.model;
  trace.stream = body.stream === true;
  trace.request = body;
  if (deps.logPrompts === true) request.log.info({ prompt: promptForLog(body.messages, live.manifest) }, 'prompt');
  const route = matchRoute(live.manifest, body.model);
  if (route instanceof AigwError) throw route;
  trace.route = route.name;
  reply.header('x-aigw-route', route.name);
  authorizeRoute(credential, route.name);
  const reservation = await admitQuota(deps, credential, route, body);

  const run = createRunStop();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) run.stop();
  };
  reply.raw.on('close', onClose);
  // The drain deadline passed (SIGTERM): the run stops and the client is told why (below).
  running.add(run.stop);
  // The client may have left while the quota store answered: its 'close' has already fired.
  if (reply.raw.destroyed || request.raw.socket.destroyed) onClose();
  let result: EngineResult | undefined;
  try {
    result = body.stream === true
      ? await runStream(request, reply, deps, live, route, body, run.onAbortable, trace)
      : await deps.engine.run({ manifest: live.manifest, route, request: body, onAbortable: run.onAbortable, requestId: request.id });
    if (result.outcome === 'aborted' && deps.shutdown?.aborted === true && !reply.raw.destroyed) result = shutDown(result, trace.streamStarted);
  } finally {
    reply.raw.off('close', onClose);
    running.delete(run.stop);
    if (reservation !== undefined) {
      // Settle with what was really used; off the response path (a Redis round trip must not delay the answer).
      deps.quota.settle(reservation, tokensToSettle(result)).catch((error: unknown) => request.log.warn({ err: error }, 'quota settle failed'));
    }
  }
  trace.result = result;
  if (body.stream !== true) sendResult(reply, result);
  else if (result.outcome === 'interrupted' && result.error?.code === ERRORS.SHUTTING_DOWN.code && !reply.raw.writableEnded) reply.raw.end(sseErrorTail(result.error.envelope));
  else if (!reply.raw.headersSent && result.error !== undefined) sendEngineError(reply, result);
}

/**
 * Tokens a finished request is charged against its credential's quota: the answering model's usage;
 * else what attempts reported; else nothing when no answer was generated (an error response, or a
 * client or drain that stopped the run while no call was in flight: during a retry's backoff, before
 * the first call) — but the estimate is kept (NaN) when tokens may have been generated and were
 * never reported (an answer without usage, a call cut by the client or the drain).
 */
export function tokensToSettle(result: EngineResult | undefined): number {
  if (result === undefined) return Number.NaN;
  // A continued stream: the broken attempt generated what the client got before the cut, and its
  // provider bills it; when it reported no usage of its own, the whole is unknown: keep the estimate.
  const broken = result.attempts.filter((attempt) => attempt.outcome === 'continued');
  if (broken.some((attempt) => attempt.usage === undefined)) return Number.NaN;
  const brokenTokens = broken.reduce((sum, attempt) => sum + (attempt.usage?.total_tokens ?? 0), 0);
  if (result.usage !== undefined) return result.usage.total_tokens + brokenTokens;
  // An answer whose model reported no usage keeps the estimate.
  if (result.outcome === 'success') return Number.NaN;
  const reported = result.attempts.reduce((sum, attempt) => sum + (attempt.usage?.total_tokens ?? 0), 0);
  if (reported > 0) return reported;
  return result.attempts.some(mayHaveGenerated) ? Number.NaN : 0;
}

/**
 * A call that may have made its provider generate: stopped in flight (the client or the drain left,
 * the latency budget or the route's timeout cut it, a stream stalled) or one that produced content.
 * A call that ended with an error status or never connected generated nothing.
 */
function mayHaveGenerated(attempt: AttemptRecord): boolean {
  return attempt.outcome === 'aborted' || attempt.outcome === 'success' || attempt.outcome === 'continued' || attempt.firstContentMs !== undefined
    || attempt.reason === 'latency' || attempt.reason === 'stream_error';
}

/** A run the drain deadline stopped: a 503 when nothing was sent yet, else an in-band error ending the stream. */
function shutDown(result: EngineResult, streamStarted: boolean): EngineResult {
  const error = new AigwError(ERRORS.SHUTTING_DOWN, 'The gateway is shutting down and could not finish this answer; retry the request.');
  const status = streamStarted ? 200 : error.status;
  return {
    ...result,
    outcome: streamStarted ? 'interrupted' : 'error',
    status,
    error: { status, code: error.code, envelope: error.toEnvelope(), headers: {} },
  };
}

async function admitQuota(deps: GatewayDeps, credential: Credential | undefined, route: Route, body: ChatCompletionRequest): Promise<Reservation | undefined> {
  const quota = credential?.quota;
  if (credential === undefined || quota === undefined) return undefined;
  const tokens = reservationTokens(body, route.defaultMaxTokens);
  if (quota.tokensPerMinute !== undefined && tokens > quota.tokensPerMinute) {
    // No window will ever hold it: a Retry-After would send the SDK into retries that cannot succeed.
    deps.metrics.quotaRejections.inc({ credential: credential.id, exceeded: 'tokens' });
    throw new AigwError(
      ERRORS.QUOTA_EXCEEDED,
      `Request too large for credential '${credential.id}' on tokens per min: limit ${String(quota.tokensPerMinute)}, requested ${String(tokens)} (prompt estimate plus max_tokens${choicesOf(body) > 1 ? ` for each of the ${String(choicesOf(body))} choices` : ''}). Reduce the prompt, max_tokens or n; retrying will not help.`,
      { type: 'tokens', headers: NO_SDK_RETRY },
    );
  }
  const admission = await deps.quota.admit(`credential:${credential.id}`, quota, tokens);
  if (admission.allowed) return admission.reservation;
  const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
  const retryHeaders = { 'retry-after': String(seconds), 'retry-after-ms': String(Math.ceil(admission.retryAfterMs)) };
  if (admission.exceeded === 'store') {
    // An outage, not spending: counted in aigw_quota_store_errors_total, not as this credential's rejection.
    throw new AigwError(
      ERRORS.QUOTA_EXCEEDED,
      `The quota store is not answering, and this gateway refuses requests it cannot count (AIGW_QUOTA_ON_STORE_ERROR=deny). Please try again in ${seconds}s.`,
      { type: 'requests', headers: retryHeaders },
    );
  }
  deps.metrics.quotaRejections.inc({ credential: credential.id, exceeded: admission.exceeded });
  const limit = admission.exceeded === 'requests' ? quota.requestsPerMinute : quota.tokensPerMinute;
  throw new AigwError(
    ERRORS.QUOTA_EXCEEDED,
    `Rate limit reached for credential '${credential.id}' on ${admission.exceeded} per min: limit ${String(limit)}. Please try again in ${seconds}s.`,
    { type: admission.exceeded, headers: retryHeaders },
  );
}

async function runStream(
  request: FastifyRequest, reply: FastifyReply, deps: GatewayDeps, live: LiveConfig, route: Route,
  body: ChatCompletionRequest, onAbortable: (abort: () => void) => void, trace: RequestTrace,
): Promise<EngineResult> {
  const sink = createSseSink(reply.raw, {
    headers: () => pendingHeaders(reply),
    onStart: (info) => {
      reply.hijack();
      reply.header('x-aigw-provider', info.provider);
      deps.metrics.inflightStreams.inc();
      trace.streamStarted = true;
    },
    collectText: live.manifest.audit.completion !== 'none',
  });
  try {
    return await deps.engine.run({ manifest: live.manifest, route, request: body, onAbortable, sink, requestId: request.id });
  } catch (error) {
    // A defect after the stream began: what the sink holds goes out, then the in-band error and
    // [DONE] (the handler maps and logs the error as for any other request).
    if (sink.state().started) await sink.error(toAigwError(error).error.toEnvelope());
    throw error;
  } finally {
    if (sink.state().started) deps.metrics.inflightStreams.dec();
    trace.completionText = sink.state().text;
  }
}

/** Headers fastify would have sent (x-request-id, x-aigw-*), for the hijacked stream response. */
function pendingHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function sendResult(reply: FastifyReply, result: EngineResult): void {
  if (result.completion !== undefined && result.error === undefined) {
    if (result.provider !== undefined) reply.header('x-aigw-provider', result.provider);
    reply.code(200).send(result.completion);
    return;
  }
  sendEngineError(reply, result);
}

function sendEngineError(reply: FastifyReply, result: EngineResult): void {
  if (reply.raw.destroyed) return;
  const error = result.error;
  if (error === undefined) {
    sendError(reply, new AigwError(ERRORS.INTERNAL, 'The gateway produced no answer.'));
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  // The provider whose answer this is: the one returned as is, or, for a context-length rejection no
  // candidate took (a 400 after failovers), the last one that gave it.
  const provider = result.provider
    ?? result.attempts.findLast((attempt) => attempt.outcome === 'returned')?.provider
    ?? (error.status < 500 ? result.attempts.findLast((attempt) => attempt.reason === 'context_length')?.provider : undefined);
  if (provider !== undefined) reply.header('x-aigw-provider', provider);
  if (error.status === 502 || error.status === 504) reply.headers(NO_SDK_RETRY);
  reply.code(error.status).type('application/json').send(error.envelope);
}
