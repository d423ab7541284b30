/**
 * Everything that can pass a candidate over without a call (design §3.2, §3.5, §3.7), in order: its
 * circuit (open: skipped while a later candidate can take part), its adapter (a request it cannot
 * translate), its credential (unset: the call could only earn a 401), its provider `limits` (full).
 * Each skip is recorded; a candidate that passes gets its breaker permit, its native request and its
 * quota reservation.
 */
import type { BuildOptions, BuildResult } from '../adapters/contract.js';
import type { Route } from '../manifest/types.js';
import type { Reservation } from '../quota/limiter.js';
import { reasonOf } from './classify-outcome.js';
import { continuationRequest } from './continuation.js';
import { addSkipped, estimatedTokens, type RunState } from './run-state.js';
import { missingCredential, targetContext } from './target-context.js';
import type { HealthPermit } from './target-health.js';
import { hasLaterCandidate, type Phase, type Resolved } from './candidates.js';
import type { Candidate } from './types.js';

export interface PreparedCall {
  readonly permit: HealthPermit;
  readonly built: Extract<BuildResult, { ok: true }>;
  readonly reservation: Reservation | undefined;
}

/**
 * Synchronous unless the provider has `limits` (the quota store is asked): most calls cost no extra
 * promise here.
 */
export function prepareCall(
  state: RunState,
  plan: readonly Candidate[],
  index: number,
  phase: Phase,
  options: { readonly force: boolean; readonly retry: boolean; readonly resolved: Resolved },
): PreparedCall | undefined | Promise<PreparedCall | undefined> {
  const { deps, input } = state;
  const { entry, adapter, who } = options.resolved;
  const { target } = options.resolved.candidate;
  let permit = deps.health.acquire(entry.id, target.model);
  if (permit === undefined) {
    // An open circuit is skipped while a later candidate can take part; the last one is tried anyway
    // (and a retry never goes through a circuit its own failures just opened).
    if (options.retry || (!options.force && hasLaterCandidate(state, plan, index, phase))) {
      state.lastOpenSkipped = index;
      addSkipped(state, who, 'circuit_open', 0, 'circuit open');
      return undefined;
    }
    permit = deps.health.acquire(entry.id, target.model, true) as HealthPermit;
  }
  const continuing = phase === 'continuation';
  const buildOptions: BuildOptions | undefined = continuing ? { prefill: state.relay.text } : undefined;
  const request = continuing ? continuationRequest(input.request, state.relay.text) : input.request;
  const built = adapter.buildRequest(request, targetContext(entry, input.route, target), buildOptions);
  if (!built.ok) {
    permit.release();
    const { error } = built;
    // Only a request problem can become the client's answer; a build-time auth_error (no key
    // configured) is the operator's, and ends as a 502 like any other failed attempt.
    if (error.failoverClass === 'client_error') {
      const rank = manifestRank(input.route, options.resolved.candidate);
      if (rank < state.buildErrorRank) {
        state.buildError = error;
        state.buildErrorRank = rank;
      }
    }
    const param = error.envelope.error.param === null ? '' : ` (${error.envelope.error.param})`;
    addSkipped(state, who, reasonOf({ kind: 'upstream', status: error.status, error }), error.status,
      `not sent: ${error.envelope.error.code ?? 'invalid request'}${param}`);
    return undefined;
  }
  const missing = deps.requireCredentials === false ? undefined : missingCredential(built.request.auth);
  if (missing !== undefined) {
    permit.release();
    addSkipped(state, who, 'auth_error', 0, `credential ${missing} is not set`);
    return undefined;
  }
  if (entry.limits === undefined || deps.limiter === undefined) return { permit, built, reservation: undefined };
  return deps.limiter.admit(`provider:${entry.id}`, entry.limits, estimatedTokens(state)).then((admission) => {
    if (admission.allowed) return { permit, built, reservation: admission.reservation };
    permit.release();
    addSkipped(state, who, 'quota_full', 0, admission.exceeded === 'store' ? 'provider limits store (Redis) not answering; AIGW_QUOTA_ON_STORE_ERROR=deny' : `provider ${admission.exceeded} per minute limit reached`);
    return undefined;
  });
}

/** A candidate's place in its route as written: targets in file order, then the fallback. */
export function manifestRank(route: Route, candidate: Candidate): number {
  return candidate.role === 'fallback' ? route.targets.length : route.targets.indexOf(candidate.target);
}
