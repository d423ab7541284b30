/**
 * The routing engine (design §3): one run per client request, shared by `serve` and `simulate`.
 * It walks the attempt plan (weighted first pick, other targets, fallback) through try-candidate.ts,
 * relays a stream to the caller's sink, and ends with one result listing every attempt. Clock,
 * randomness, transport, adapters, circuit breakers, quota limiter and ids are the caller's
 * (EngineDependencies), so a seeded simulation replays byte for byte.
 *
 * For `serve`: take the config snapshot, `matchRoute`, check the credential's allow-list and quota,
 * then `engine.run({manifest, route, request, signal: request.signal, sink, requestId})`. A stream's
 * `sink.start` is the moment to send headers; when it was never called, send `result.error` as an
 * HTTP error response instead.
 */
import { failoverReasons } from './classify-outcome.js';
import { createRelayState } from './continuation.js';
import { planAttempts } from './plan-attempts.js';
import { gatewayTimeout, notBuildable, planExhausted, streamInterrupted } from './run-errors.js';
import type { RunState } from './run-state.js';
import { openRunScope } from './scopes.js';
import type { Phase } from './candidates.js';
import { mayContinueStreams, tryCandidate, type CandidateStep } from './try-candidate.js';
import type { AttemptRecord, Candidate, ClientError, EngineDependencies, EngineResult, RunInput, RunOutcome } from './types.js';
import type { Mutable } from '../mutable.js';

export interface Engine {
  run(input: RunInput): Promise<EngineResult>;
}

export function createEngine(deps: EngineDependencies): Engine {
  return { run: (input) => runRequest(deps, input) };
}

/** nginx's "client closed request": the status recorded when the client went away. */
export const CLIENT_CLOSED_STATUS = 499;

async function runRequest(deps: EngineDependencies, input: RunInput): Promise<EngineResult> {
  const stream = input.request.stream === true;
  if (stream && input.sink === undefined) throw new TypeError('a streaming request needs a sink');
  const startedAt = deps.clock.monotonic();
  const plan = planAttempts(input.route, deps.random);
  const failoverOn = failoverReasons(input.route.failoverOn);
  const state: RunState = {
    deps,
    input,
    stream,
    includeUsage: stream && input.request.stream_options?.include_usage === true,
    sink: input.sink,
    scope: openRunScope(deps.clock, input.route.timeoutMs, input.signal),
    startedAt,
    completionId: undefined,
    created: Math.floor(deps.clock.now() / 1000),
    estimatedTokens: undefined,
    failoverOn,
    records: [],
    // The sent text is a continuation's prefill: kept only when a continuation could follow.
    relay: createRelayState(stream && mayContinueStreams({ input, failoverOn }, plan)),
    calls: 0,
    malformed: 0,
    buildError: undefined,
    buildErrorRank: Number.POSITIVE_INFINITY,
    lengthRejection: undefined,
    lastOpenSkipped: undefined,
    broken: undefined,
    streamOpenedAt: undefined,
    answer: undefined,
  };
  input.onAbortable?.(state.scope.abort);
  deps.listener?.({ type: 'request-start', requestId: input.requestId, route: input.route.name, stream, at: 0 });
  let result: EngineResult;
  try {
    result = await finish(state, await walkPlan(state, plan));
  } finally {
    state.scope.close();
  }
  deps.listener?.({ type: 'request-end', requestId: input.requestId, result });
  return result;
}

/** Runs candidates until one answers or the plan is exhausted; returns the step that ended it. */
async function walkPlan(state: RunState, plan: readonly Candidate[]): Promise<CandidateStep> {
  let phase: Phase = 'initial';
  for (let index = 0; index < plan.length; index += 1) {
    const step = await tryCandidate(state, plan, index, phase);
    if (step.type === 'next') continue;
    if (step.type !== 'broken' || !step.continuable) return step;
    phase = 'continuation';
  }
  if (phase === 'initial' && state.calls === 0 && state.lastOpenSkipped !== undefined) {
    // Every candidate was passed over and one of them only for its open circuit: try it rather than
    // fail without a single call.
    const step = await tryCandidate(state, plan, state.lastOpenSkipped, phase, true);
    if (step.type !== 'next') return step;
  }
  return phase === 'continuation' ? { type: 'broken', continuable: false } : { type: 'next' };
}

async function finish(state: RunState, step: CandidateStep): Promise<EngineResult> {
  const { route } = state.input;
  switch (step.type) {
    case 'answered':
      if (state.sink !== undefined && state.stream) await quietly(() => state.sink?.end());
      return result(state, 'success', 200);
    case 'return':
      return result(state, 'error', step.error.status, step.error);
    case 'end':
      if (step.kind === 'aborted') return result(state, 'aborted', CLIENT_CLOSED_STATUS);
      return result(state, 'error', 504, gatewayTimeout(route.timeoutMs, state.records));
    case 'broken': {
      if (state.broken === undefined) throw new Error('a broken stream without its record');
      const continuations = state.records.slice(state.records.indexOf(state.broken) + 1);
      const error = streamInterrupted(state.broken, continuations, state.relay.chunks);
      await quietly(() => state.sink?.error(error.envelope));
      return result(state, 'interrupted', 200, error);
    }
    case 'next': {
      if (state.calls === 0 && state.buildError !== undefined) {
        const rank = (record: AttemptRecord): number => {
          const index = route.targets.findIndex((target) => target.provider === record.provider && target.model === record.model);
          return index === -1 ? route.targets.length : index;
        };
        const error = notBuildable(state.buildError, state.records, rank);
        return result(state, 'error', error.status, error);
      }
      const error = planExhausted(state.records, state.lengthRejection);
      return result(state, 'error', error.status, error);
    }
    default: {
      const never: never = step;
      return never;
    }
  }
}

/** The client may be gone by the time the stream ends; that is not the run's failure. */
async function quietly(action: () => void | Promise<void> | undefined): Promise<void> {
  try {
    await action();
  } catch {
    // Nothing to tell a client that went away.
  }
}

function result(state: RunState, outcome: RunOutcome, status: number, error?: ClientError): EngineResult {
  const { answer } = state;
  const firstByteAt = state.stream ? state.streamOpenedAt : answer?.firstContentAt;
  // Members in the order of EngineResult, optional ones assigned rather than spread (see Mutable);
  // the required durationMs and malformed are set below, in their place.
  const out = { requestId: state.input.requestId, route: state.input.route.name, stream: state.stream, outcome, status, attempts: state.records } as Partial<Mutable<EngineResult>> as Mutable<EngineResult>;
  if (answer !== undefined) {
    out.provider = answer.entry.id;
    out.providerType = answer.entry.type;
    out.model = answer.completion?.model ?? answer.model ?? answer.target.model;
  }
  if (answer?.usage !== undefined) out.usage = answer.usage;
  if (firstByteAt !== undefined) out.timeToFirstByteMs = firstByteAt - state.startedAt;
  out.durationMs = state.deps.clock.monotonic() - state.startedAt;
  if (answer?.completion !== undefined) out.completion = answer.completion;
  if (error !== undefined) out.error = error;
  out.malformed = state.malformed;
  return out;
}


