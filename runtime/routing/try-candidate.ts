/**
 * One candidate of the plan: the checks that may skip it without a call (prepare-call.ts), then the
 * call and its same-target retries, and what each failure means (design §3.3–§3.5, §3.7).
 * In the `continuation` phase (a stream broke after content went out) only prefill-capable candidates
 * take part, with the text sent so far as their prefill, and every failure moves on to the next one:
 * the client already has a stream, so nothing is "returned" to it but the final error event.
 */
import type { ResponseContext } from '../adapters/contract.js';
import type { Target } from '../manifest/types.js';
import type { AttemptInput, AttemptResult } from './attempt-common.js';
import { eligible, hasLaterCandidate, resolve, type Phase, type Resolved } from './candidates.js';
import { detailOf, healthVerdict, reasonOf } from './classify-outcome.js';
import { decideRetry } from './retry-delay.js';
import { withoutProviderSecrets } from './scrub-provider-secrets.js';
import { addRecord, type Answer, type RunState, type Who } from './run-state.js';
import { allAttemptsFailed, upstreamRejected } from './run-errors.js';
import { openAttemptScope, Stop } from './scopes.js';
import { runStreamAttempt } from './stream-attempt.js';
import { prepareCall } from './prepare-call.js';
import type { HealthPermit } from './target-health.js';
import type { AttemptRecord, Candidate, ClientError } from './types.js';
import { runUnaryAttempt } from './unary-attempt.js';
import type { Mutable } from '../mutable.js';

export type CandidateStep =
  | { readonly type: 'next' }
  | { readonly type: 'answered' }
  | { readonly type: 'return'; readonly error: ClientError }
  | { readonly type: 'broken'; readonly continuable: boolean }
  | { readonly type: 'end'; readonly kind: 'timeout' | 'aborted' };

const NEXT: CandidateStep = { type: 'next' };

function latencyBudget(state: RunState, target: Target, phase: Phase): number | undefined {
  const budget = state.failoverOn.has('latency') ? target.maxLatencyMs : undefined;
  // A continuation keeps the client waiting mid-stream: never longer than the stall limit.
  if (phase === 'continuation') return Math.min(budget ?? Number.POSITIVE_INFINITY, state.input.route.streamIdleTimeoutMs);
  return budget;
}

function applyVerdict(permit: HealthPermit, reason: Parameters<typeof healthVerdict>[0]): void {
  const verdict = healthVerdict(reason);
  if (verdict === 'success') permit.success();
  else if (verdict === 'failure') permit.failure();
  else permit.release();
}

export async function tryCandidate(state: RunState, plan: readonly Candidate[], index: number, phase: Phase, force = false): Promise<CandidateStep> {
  const resolved = resolve(state, plan[index] as Candidate);
  if (!eligible(state, resolved, phase)) return NEXT;
  const { entry, who } = resolved;
  const { target } = resolved.candidate;
  const { deps, input } = state;
  for (let retries = 0; ; retries += 1) {
    const preparing = prepareCall(state, plan, index, phase, { force, retry: retries > 0, resolved });
    const prepared = preparing instanceof Promise ? await preparing : preparing;
    if (prepared === undefined) return NEXT;
    const { permit, built, reservation } = prepared;

    const stopped = state.scope.stopped();
    if (stopped !== undefined) {
      // The client left (or the deadline passed) while the checks awaited the quota store: no call.
      permit.release();
      if (reservation !== undefined) await deps.limiter?.settle(reservation, 0);
      return { type: 'end', kind: stopped.kind === 'timeout' ? 'timeout' : 'aborted' };
    }
    const startedAt = deps.clock.monotonic();
    deps.listener?.({ type: 'attempt-start', requestId: input.requestId, route: input.route.name, ...who, index: state.records.length, at: startedAt - state.startedAt });
    state.calls += 1;
    const result = withoutSecretsIn(await call(state, resolved, built.request, latencyBudget(state, target, phase)), resolved);
    if (reservation !== undefined) await deps.limiter?.settle(reservation, tokensUsed(result));
    state.malformed += result.malformed;
    const base = attemptRecord(who, result, startedAt - state.startedAt, deps.clock.monotonic() - startedAt, built.dropped, startedAt, permit.probe);

    // A stream that broke after its finish chunk went out is a complete answer.
    const complete = !result.ok && result.afterContent && state.relay.finished;
    if (result.ok || complete) {
      permit.success();
      base.reason = null;
      base.outcome = 'success';
      if (complete) base.detail = 'body broke after the finish chunk';
      addRecord(state, base);
      // Optional members assigned, not spread (see Mutable).
      const answer: Mutable<Answer> = { entry, target, firstContentAt: result.firstContentAt ?? startedAt };
      if (result.usage !== undefined) answer.usage = result.usage;
      if (result.ok && result.completion !== undefined) answer.completion = result.completion;
      if (result.ok && result.model !== undefined) answer.model = result.model;
      state.answer = answer;
      return { type: 'answered' };
    }

    const { failure } = result;
    const reason = reasonOf(failure);
    applyVerdict(permit, reason);
    base.reason = reason;
    if (failure.kind === 'upstream' && failure.error.retryAfterMs !== undefined) base.retryAfterMs = failure.error.retryAfterMs;
    const failed = (outcome: AttemptRecord['outcome'], detail = detailOf(failure)): AttemptRecord => {
      base.outcome = outcome;
      base.detail = detail;
      return addRecord(state, base);
    };

    if (failure.kind === 'timeout' || failure.kind === 'aborted') {
      failed('aborted');
      return { type: 'end', kind: failure.kind };
    }
    if (result.afterContent) return broken(state, plan, index, failed);

    // Mid-stream the client already waits in silence: a retry must not outlast the stall limit.
    const decision = phase === 'continuation'
      ? decideRetry(failure, retries, input.route.retry, deps.random, Math.min(state.scope.remainingMs(), input.route.streamIdleTimeoutMs), 'stream_idle_timeout_ms')
      : decideRetry(failure, retries, input.route.retry, deps.random, state.scope.remainingMs());
    if (decision.retry) {
      failed('retry', `${detailOf(failure)}; retrying in ${decision.delayMs} ms`);
      try {
        await state.scope.sleep(decision.delayMs);
      } catch (error) {
        return { type: 'end', kind: error instanceof Stop && error.kind === 'timeout' ? 'timeout' : 'aborted' };
      }
      continue;
    }
    const detail = decision.detail === undefined ? detailOf(failure) : `${detailOf(failure)}; ${decision.detail}`;
    if (phase === 'continuation' || state.failoverOn.has(reason)) {
      failed('failover', detail);
      // Kept as the app's answer should no other candidate take the prompt (engine.ts, case 'next').
      if (reason === 'context_length' && failure.kind === 'upstream') state.lengthRejection = failure.error;
      return NEXT;
    }
    failed('returned', detail);
    const clientCaused = failure.kind === 'upstream' && failure.error.status >= 400 && failure.error.status < 500;
    return { type: 'return', error: clientCaused ? upstreamRejected(failure.error) : allAttemptsFailed(state.records) };
  }
}

/**
 * What the attempt's adapter reads to build its answer. The fallback completion id is made when first
 * read (a random id costs about a microsecond, and most upstreams send their own id). A class: an
 * object literal with a getter is built on V8's slow path and measured 10–20 µs per request worse.
 */
class AttemptContext implements ResponseContext {
  readonly created: number;
  readonly includeUsage: boolean;

  constructor(private readonly state: RunState, readonly model: string) {
    this.created = state.created;
    this.includeUsage = state.includeUsage;
  }

  get completionId(): string {
    this.state.completionId ??= this.state.deps.newCompletionId();
    return this.state.completionId;
  }
}

/**
 * What a provider `limits` reservation is settled with: the attempt's reported usage; 0 when it
 * produced nothing (it failed before any content); otherwise NaN, which keeps the estimate — tokens
 * were generated but never reported, and a made-up 0 would let the provider's ceiling be overrun (design §5).
 */
function tokensUsed(result: AttemptResult): number {
  if (result.usage !== undefined) return result.usage.total_tokens;
  return result.ok || result.afterContent ? Number.NaN : 0;
}

type MutableRecord = Mutable<AttemptRecord>;

/** The record of a call, built field by field (this runs for every attempt of every request). */
function attemptRecord(who: Who, result: AttemptResult, startMs: number, durationMs: number,
  dropped: AttemptRecord['dropped'], startedAt: number, probe: boolean): MutableRecord {
  const record: MutableRecord = {
    provider: who.provider, providerType: who.providerType, model: who.model, status: result.status,
    reason: null, outcome: 'success', startMs, durationMs, dropped,
  };
  if (result.firstContentAt !== undefined) record.firstContentMs = result.firstContentAt - startedAt;
  if (result.rawFinishReason !== undefined) record.rawFinishReason = result.rawFinishReason;
  if (result.malformed !== 0) record.malformed = result.malformed;
  if (result.usage !== undefined) record.usage = result.usage;
  if (probe) record.probe = true;
  return record;
}

/** An upstream error's text, with the provider's own secrets taken out before anything reads it. */
function withoutSecretsIn(result: AttemptResult, resolved: Resolved): AttemptResult {
  if (result.ok || result.failure.kind !== 'upstream') return result;
  const error = withoutProviderSecrets(result.failure.error, resolved.entry);
  return error === result.failure.error ? result : { ...result, failure: { ...result.failure, error } };
}

async function call(state: RunState, resolved: Resolved, request: AttemptInput['request'], budgetMs: number | undefined): Promise<AttemptResult> {
  const { deps, input } = state;
  const scope = openAttemptScope(deps.clock, state.scope, budgetMs);
  const model = resolved.candidate.target.model;
  const target = { providerId: resolved.entry.id, providerType: resolved.entry.type, model };
  const context = new AttemptContext(state, model);
  try {
    const sink = state.sink;
    if (!state.stream || sink === undefined) {
      return await runUnaryAttempt({ clock: deps.clock, transport: deps.transport, adapter: resolved.adapter, request, target, context, scope });
    }
    return await runStreamAttempt({
      clock: deps.clock,
      transport: deps.transport,
      adapter: resolved.adapter,
      request,
      target,
      context,
      scope,
      relay: state.relay,
      includeUsage: state.includeUsage,
      idleTimeoutMs: input.route.streamIdleTimeoutMs,
      /** A sink that throws means the client is gone: stop the attempt as an abort, not as a bug. */
      gone(): never {
        const stop = new Stop('aborted');
        scope.abort(stop);
        throw stop;
      },
      write(chunk) {
        let pending: void | Promise<void>;
        try {
          pending = sink.write(chunk);
        } catch {
          return this.gone();
        }
        return pending === undefined ? undefined : pending.catch(() => this.gone());
      },
      async open() {
        state.streamOpenedAt = deps.clock.monotonic();
        state.scope.cancelDeadline();
        deps.listener?.({ type: 'stream-start', requestId: input.requestId, route: input.route.name, provider: resolved.entry.id,
          model, at: state.streamOpenedAt - state.startedAt });
        try {
          await sink.start({ route: input.route.name, provider: resolved.entry.id, providerType: resolved.entry.type, model });
        } catch {
          this.gone();
        }
        state.relay.started = true;
      },
    });
  } finally {
    scope.close();
  }
}

/**
 * Whether a broken stream of this run could ever be continued: the static half of `broken`'s test,
 * known once the plan is. The relay keeps the sent text (a continuation's prefill) only then.
 */
export function mayContinueStreams(state: Pick<RunState, 'input' | 'failoverOn'>, plan: readonly Candidate[]): boolean {
  return state.input.route.streamFailover === 'continue' && state.failoverOn.has('stream_error') && plan.length > 1;
}

/** A stream that broke after content reached the client: hand it to a continuation, or end it. */
function broken(
  state: RunState,
  plan: readonly Candidate[],
  index: number,
  failed: (outcome: AttemptRecord['outcome'], detail?: string) => AttemptRecord,
): CandidateStep {
  const { relay } = state;
  const continuable = mayContinueStreams(state, plan) && !relay.structured && hasLaterCandidate(state, plan, index, 'continuation');
  const record = failed(continuable ? 'continued' : 'returned');
  state.broken ??= record;
  return { type: 'broken', continuable };
}
