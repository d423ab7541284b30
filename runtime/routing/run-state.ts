/**
 * The mutable state of one run, shared by the plan loop (engine.ts) and the candidate runner
 * (try-candidate.ts), plus the record-keeping both use.
 */
import type { ProviderType, TranslatedError } from '../adapters/contract.js';
import type { ProviderEntry, Target } from '../manifest/types.js';
import type { ChatCompletion, Usage } from '../openai/wire.js';
import type { RelayState } from './continuation.js';
import type { RunScope } from './scopes.js';
import type { AttemptRecord, EngineDependencies, FailoverReason, RunInput, StreamSink } from './types.js';
import { reservationTokens } from '../quota/estimate-tokens.js';

export interface Answer {
  readonly entry: ProviderEntry;
  readonly target: Target;
  readonly usage?: Usage;
  readonly completion?: ChatCompletion;
  /** The model the provider named (stream chunks), when it named one. */
  readonly model?: string;
  readonly firstContentAt: number;
}

export interface RunState {
  readonly deps: EngineDependencies;
  readonly input: RunInput;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly sink: StreamSink | undefined;
  readonly scope: RunScope;
  /** Monotonic start of the run. */
  readonly startedAt: number;
  /** The answer's id when the upstream gives none; made on first use (most upstreams send their own). */
  completionId: string | undefined;
  readonly created: number;
  /** Tokens a provider `limits` reservation holds; estimated when first needed (see estimatedTokens). */
  estimatedTokens: number | undefined;
  readonly failoverOn: ReadonlySet<FailoverReason>;
  readonly records: AttemptRecord[];
  readonly relay: RelayState;
  /** Upstream calls made (skipped candidates excluded). */
  calls: number;
  malformed: number;
  /**
   * The refusal of the candidate first in manifest order among those whose adapter could not build the
   * request (returned when no call could be made): the answer must not depend on the weighted first pick.
   */
  buildError: TranslatedError | undefined;
  /** That candidate's manifest position (targets in file order, then the fallback). */
  buildErrorRank: number;
  /**
   * The last context-length rejection that was failed over: the app's answer when no candidate answered
   * and the request itself is why (run-errors.ts `planExhausted`).
   */
  lengthRejection: TranslatedError | undefined;
  /** Plan index of the last candidate skipped because its circuit was open. */
  lastOpenSkipped: number | undefined;
  /** The attempt whose stream broke first after content went out (named first in the error event). */
  broken: AttemptRecord | undefined;
  /** Monotonic time the client's stream opened. */
  streamOpenedAt: number | undefined;
  answer: Answer | undefined;
}

export interface Who {
  readonly provider: string;
  readonly providerType: ProviderType;
  readonly model: string;
}

/** Appends an attempt record and reports it to the listener. */
export function addRecord(state: RunState, record: AttemptRecord): AttemptRecord {
  state.records.push(record);
  state.deps.listener?.({ type: 'attempt-end', requestId: state.input.requestId, route: state.input.route.name, record });
  return record;
}

/** A candidate passed over without a call. */
export function addSkipped(state: RunState, who: Who, reason: FailoverReason, status: number, detail: string): void {
  const at = state.deps.clock.monotonic() - state.startedAt;
  addRecord(state, { ...who, status, reason, outcome: 'skipped', startMs: at, durationMs: 0, dropped: [], detail });
}

/**
 * The run's reservation estimate (prompt estimate + completion ceiling), made on first use: only a
 * provider with `limits` needs it, and with tool definitions it serialises them (issue 8).
 */
export function estimatedTokens(state: RunState): number {
  const { request, route } = state.input;
  state.estimatedTokens ??= reservationTokens(request, route.defaultMaxTokens);
  return state.estimatedTokens;
}
