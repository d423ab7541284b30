/**
 * The live view's state, reduced from simulation events by a pure function (no React here), so the
 * reduction is testable on its own and the hook stays a thin subscription.
 */
import { countedOutcome, isFailover, lastCallIndex } from '../../runtime/routing/counted-outcome.js';
import type { SimulationEvent } from '../simulate/driver.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface ProviderRow {
  /** provider/model */
  readonly name: string;
  answered: number;
  attempts: number;
  failovers: number;
  circuit: CircuitState;
}

export interface LiveState {
  total: number;
  done: number;
  successes: number;
  errors: number;
  /** Virtual time of the latest event. */
  simulatedMs: number;
  /** provider/model → row, in first-seen order. */
  readonly providers: Map<string, ProviderRow>;
  /** Latency of each finished request since the last sparkline bucket was closed. */
  readonly bucket: number[];
  /** p95 latency per bucket of finished requests (the sparkline), newest last. */
  readonly trend: number[];
  finished: boolean;
}

/** Requests per sparkline bucket, and buckets kept. */
export const BUCKET_SIZE = 200;
export const TREND_LENGTH = 40;

export function createLiveState(total: number): LiveState {
  return { total, done: 0, successes: 0, errors: 0, simulatedMs: 0, providers: new Map(), bucket: [], trend: [], finished: false };
}

function row(state: LiveState, provider: string, model: string): ProviderRow {
  const name = `${provider}/${model}`;
  let found = state.providers.get(name);
  if (found === undefined) {
    found = { name, answered: 0, attempts: 0, failovers: 0, circuit: 'closed' };
    state.providers.set(name, found);
  }
  return found;
}

function closeBucket(state: LiveState): void {
  if (state.bucket.length === 0) return;
  const sorted = [...state.bucket].sort((a, b) => a - b);
  state.trend.push(sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? 0);
  if (state.trend.length > TREND_LENGTH) state.trend.shift();
  state.bucket.length = 0;
}

/** Folds one event into the state (mutating it: the hook copies before rendering). */
export function reduceLiveState(state: LiveState, event: SimulationEvent): void {
  switch (event.type) {
    case 'run-start':
      state.total = event.total;
      return;
    case 'request-arrival':
      state.simulatedMs = Math.max(state.simulatedMs, event.at);
      return;
    case 'attempt-end': {
      const target = row(state, event.record.provider, event.record.model);
      if (event.record.outcome !== 'skipped') target.attempts += 1;
      if (event.record.outcome === 'failover' || event.record.outcome === 'continued') target.failovers += 1;
      return;
    }
    case 'request-end': {
      const { result } = event;
      state.done += 1;
      if (result.outcome === 'success') state.successes += 1;
      else state.errors += 1;
      // Failovers were counted at attempt-end by the engine's labels, before anyone knew what followed;
      // now that the run is over each failure counts as the report and serve's metrics count it
      // (counted-outcome.ts): a last failure is none, a retry that went on to another target is one.
      const lastCall = lastCallIndex(result.attempts);
      result.attempts.forEach((record, index) => {
        const correction = Number(isFailover(countedOutcome(result.attempts, index, lastCall))) - Number(isFailover(record.outcome));
        if (correction !== 0) row(state, record.provider, record.model).failovers += correction;
      });
      if (result.outcome === 'success' && result.provider !== undefined) {
        const answering = result.attempts.findLast((record) => record.outcome === 'success');
        if (answering !== undefined) row(state, answering.provider, answering.model).answered += 1;
      }
      state.bucket.push(result.durationMs);
      if (state.bucket.length >= BUCKET_SIZE) closeBucket(state);
      return;
    }
    case 'request-unmatched':
      state.done += 1;
      state.errors += 1;
      state.simulatedMs = Math.max(state.simulatedMs, event.at);
      return;
    case 'circuit-open':
    case 'circuit-half-open':
    case 'circuit-close':
      row(state, event.provider, event.model).circuit = event.type === 'circuit-open' ? 'open' : event.type === 'circuit-close' ? 'closed' : 'half-open';
      state.simulatedMs = Math.max(state.simulatedMs, event.at);
      return;
    case 'run-end':
      closeBucket(state);
      state.done = state.total;
      state.simulatedMs = event.summary.simulatedMs;
      state.finished = true;
      return;
    default:
      return;
  }
}

/** An immutable copy for React. */
export function snapshot(state: LiveState): LiveSnapshot {
  return {
    total: state.total,
    done: state.done,
    successes: state.successes,
    errors: state.errors,
    simulatedMs: state.simulatedMs,
    providers: [...state.providers.values()].map((provider) => ({ ...provider })),
    trend: [...state.trend],
    finished: state.finished,
  };
}

export interface LiveSnapshot {
  readonly total: number;
  readonly done: number;
  readonly successes: number;
  readonly errors: number;
  readonly simulatedMs: number;
  readonly providers: readonly Readonly<ProviderRow>[];
  readonly trend: readonly number[];
  readonly finished: boolean;
}
