/**
 * One candidate of the plan: circuit breaker, translation, credential and provider-quota checks (each
 * a skip without a call), then the call and its same-target retries (design §3.3–§3.5, §3.7).
 * In the `continuation` phase (a stream broke after content went out) only prefill-capable candidates
 * take part, with the text sent so far as their prefill, and every failure moves on to the next one:
 * the client already has a stream, so nothing is "returned" to it but the final error event.
 */
import type { BuildOptions, ProviderAdapter } from '../adapters/contract.js';
import type { ProviderEntry, Target } from '../manifest/types.js';
import type { Reservation } from '../quota/limiter.js';
import type { AttemptInput, AttemptResult } from './attempt-common.js';
import { detailOf, healthVerdict, reasonOf } from './classify-outcome.js';
import { decideRetry } from './retry-delay.js';
import { addRecord, addSkipped, type RunState, type Who } from './run-state.js';
import { allAttemptsFailed, upstreamRejected } from './run-errors.js';
import { openAttemptScope, Stop } from './scopes.js';
import { runStreamAttempt } from './stream-attempt.js';
import { missingCredential, providerEntry, supportsPrefill, targetContext } from './target-context.js';
import type { HealthPermit } from './target-health.js';
import type { AttemptRecord, Candidate, ClientError } from './types.js';
import { runUnaryAttempt } from './unary-attempt.js';

export type Phase = 'initial' | 'continuation';

export type CandidateStep =
  | { readonly type: 'next' }
  | { readonly type: 'answered' }
  | { readonly type: 'return'; readonly error: ClientError }
  | { readonly type: 'broken'; readonly continuable: boolean }
  | { readonly type: 'end'; readonly kind: 'timeout' | 'aborted' };

const NEXT: CandidateStep = { type: 'next' };

interface Resolved { readonly candidate: Candidate; readonly entry: ProviderEntry; readonly adapter: ProviderAdapter; readonly who: Who }

function resolve(state: RunState, candidate: Candidate): Resolved {
  const entry = providerEntry(state.input.manifest, candidate.target);
  const adapter = state.deps.getAdapter(entry.type);
  return { candidate, entry, adapter, who: { provider: entry.id, providerType: entry.type, model: candidate.target.model } };
}

function eligible(state: RunState, resolved: Resolved, phase: Phase): boolean {
  return phase === 'initial' || supportsPrefill(resolved.adapter, resolved.entry, resolved.candidate.target);
}

/** Whether a candidate after `index` can still take part in this phase. */
export function hasLaterCandidate(state: RunState, plan: readonly Candidate[], index: number, phase: Phase): boolean {
  return plan.slice(index + 1).some((candidate) => eligible(state, resolve(state, candidate), phase));
}

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
  const { entry, adapter, who } = resolved;
  const { target } = resolved.candidate;
  const { deps, input } = state;
  for (let retries = 0; ; retries += 1) {
    let permit = deps.health.acquire(entry.id, target.model);
    if (permit === undefined) {
      // Design §3.2/§3.7: an open circuit is skipped while a later candidate can take part; the last
      // one is tried anyway (and a retry never goes through a circuit its own failures just opened).
      if (retries > 0 || (!force && hasLaterCandidate(state, plan, index, phase))) {
        state.lastOpenSkipped = index;
        addSkipped(state, who, 'circuit_open', 0, 'circuit open');
        return NEXT;
      }
      permit = deps.health.acquire(entry.id, target.model, true) as HealthPermit;
    }
    const options: BuildOptions | undefined = phase === 'continuation' ? { prefill: state.relay.text } : undefined;
    const built = adapter.buildRequest(input.request, targetContext(entry, input.route, target), options);
    if (!built.ok) {
      permit.release();
      // Only a request problem can become the client's answer; a build-time auth_error (no key
      // configured) is the operator's, and ends as a 502 like any other failed attempt.
      if (built.error.failoverClass === 'client_error') state.buildError ??= built.error;
      addSkipped(state, who, reasonOf({ kind: 'upstream', status: built.error.status, error: built.error }), built.error.status,
        `not sent: ${built.error.envelope.error.code ?? 'invalid request'}${built.error.envelope.error.param === null ? '' : ` (${built.error.envelope.error.param})`}`);
      return NEXT;
    }
    const missing = deps.requireCredentials === false ? undefined : missingCredential(built.request.auth);
    if (missing !== undefined) {
      permit.release();
      addSkipped(state, who, 'auth_error', 0, `credential ${missing} is not set`);
      return NEXT;
    }
    let reservation: Reservation | undefined;
    if (entry.limits !== undefined && deps.limiter !== undefined) {
      const admission = await deps.limiter.admit(`provider:${entry.id}`, entry.limits, state.estimatedTokens);
      if (!admission.allowed) {
        permit.release();
        addSkipped(state, who, 'quota_full', 0, `provider ${admission.exceeded} per minute limit reached`);
        return NEXT;
      }
      reservation = admission.reservation;
    }

    const startedAt = deps.clock.monotonic();
    deps.listener?.({ type: 'attempt-start', requestId: input.requestId, route: input.route.name, ...who, index: state.records.length, at: startedAt - state.startedAt });
    state.calls += 1;
    const result = await call(state, resolved, built.request, latencyBudget(state, target, phase));
    if (reservation !== undefined) await deps.limiter?.settle(reservation, result.usage?.total_tokens ?? 0);
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
      state.answer = { entry, target, firstContentAt: result.firstContentAt ?? startedAt,
        ...(result.usage === undefined ? {} : { usage: result.usage }),
        ...(result.ok && result.completion !== undefined ? { completion: result.completion } : {}) };
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

    const decision = decideRetry(failure, retries, input.route.retry, deps.random, state.scope.remainingMs());
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
      return NEXT;
    }
    failed('returned', detail);
    const clientCaused = failure.kind === 'upstream' && failure.error.status >= 400 && failure.error.status < 500;
    return { type: 'return', error: clientCaused ? upstreamRejected(failure.error) : allAttemptsFailed(state.records) };
  }
}

type MutableRecord = { -readonly [K in keyof AttemptRecord]: AttemptRecord[K] };

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

async function call(state: RunState, resolved: Resolved, request: AttemptInput['request'], budgetMs: number | undefined): Promise<AttemptResult> {
  const { deps, input } = state;
  const scope = openAttemptScope(deps.clock, state.scope, budgetMs);
  const attempt: AttemptInput = {
    clock: deps.clock,
    transport: deps.transport,
    adapter: resolved.adapter,
    request,
    target: { providerId: resolved.entry.id, providerType: resolved.entry.type, model: resolved.candidate.target.model },
    context: { completionId: state.completionId, created: state.created, model: resolved.candidate.target.model, includeUsage: state.includeUsage },
    scope,
  };
  try {
    if (!state.stream || state.sink === undefined) return await runUnaryAttempt(attempt);
    const sink = state.sink;
    // A sink that throws means the client is gone: stop the attempt as an abort, not as a bug.
    const gone = (): never => {
      const stop = new Stop('aborted');
      scope.abort(stop);
      throw stop;
    };
    const guard = (action: () => void | Promise<void>): void | Promise<void> => {
      let pending: void | Promise<void>;
      try {
        pending = action();
      } catch {
        return gone();
      }
      return pending === undefined ? undefined : pending.catch(gone);
    };
    return await runStreamAttempt({
      ...attempt,
      relay: state.relay,
      includeUsage: state.includeUsage,
      idleTimeoutMs: input.route.streamIdleTimeoutMs,
      write(chunk) {
        let pending: void | Promise<void>;
        try {
          pending = sink.write(chunk);
        } catch {
          return gone();
        }
        return pending === undefined ? undefined : pending.catch(gone);
      },
      open: () => guard(async () => {
        state.streamOpenedAt = deps.clock.monotonic();
        state.scope.cancelDeadline();
        deps.listener?.({ type: 'stream-start', requestId: input.requestId, route: input.route.name, provider: resolved.entry.id,
          model: resolved.candidate.target.model, at: state.streamOpenedAt - state.startedAt });
        await sink.start({ route: input.route.name, provider: resolved.entry.id, providerType: resolved.entry.type, model: resolved.candidate.target.model });
        state.relay.started = true;
      }),
    });
  } finally {
    scope.close();
  }
}

/** A stream that broke after content reached the client: hand it to a continuation, or end it. */
function broken(
  state: RunState,
  plan: readonly Candidate[],
  index: number,
  failed: (outcome: AttemptRecord['outcome'], detail?: string) => AttemptRecord,
): CandidateStep {
  const { relay } = state;
  const route = state.input.route;
  const continuable = route.streamFailover === 'continue' && state.failoverOn.has('stream_error')
    && !relay.structured && hasLaterCandidate(state, plan, index, 'continuation');
  const record = failed(continuable ? 'continued' : 'returned');
  state.broken ??= record;
  return { type: 'broken', continuable };
}
