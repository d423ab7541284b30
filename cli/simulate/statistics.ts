/**
 * Deterministic aggregation of a simulation (style §A.7): events in, one summary out. It keeps counters
 * and latency lists, never the results themselves, so a 100 000-request run stays small. Every list in
 * the summary has a fixed order (routes and targets in manifest order, reasons alphabetical) and every
 * number a fixed precision, which is what makes the json output byte-identical for one seed.
 */
import type { Manifest, Target } from '../../runtime/manifest/types.js';
import { countedOutcome, isFailover, lastCallIndex } from '../../runtime/routing/counted-outcome.js';
import { firstPickProbabilities } from '../../runtime/routing/plan-attempts.js';
import type { CircuitEvent } from '../../runtime/routing/target-health.js';
import type { AttemptOutcome, AttemptRecord, EngineEvent, EngineResult } from '../../runtime/routing/types.js';

export const SIMULATION_JSON_VERSION = 1;

export interface Percentiles { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number }
export interface Tokens { readonly prompt: number; readonly completion: number; readonly total: number }

export interface TargetSummary {
  readonly provider: string;
  readonly model: string;
  readonly role: 'target' | 'fallback';
  readonly weight: number;
  /** weight/sum: the configured probability of being tried first. */
  readonly configuredShare: number;
  /** How often it was the plan's first candidate. */
  readonly firstShare: number;
  /** Share of the route's answered requests it answered. */
  readonly observedShare: number;
  readonly answered: number;
  /** Calls made (retries included; skips excluded). */
  readonly attempts: number;
  readonly retries: number;
  /** Failovers away from it (and broken streams handed to a continuation), by reason. */
  readonly failovers: Readonly<Record<string, number>>;
  /** Passed over without a call, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  readonly tokens: Tokens;
  readonly cooldowns: { readonly count: number; readonly totalMs: number; readonly probes: number };
}

export interface RouteSummary {
  readonly name: string;
  readonly requests: number;
  readonly successRate: number;
  readonly latencyMs: Percentiles;
  readonly targets: readonly TargetSummary[];
}

export interface SimulationSummary {
  readonly version: number;
  readonly seed: number;
  readonly requests: number;
  /** Simulated time from the first arrival to the last answer. */
  readonly simulatedMs: number;
  readonly successRate: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly statuses: Readonly<Record<string, number>>;
  /** What the app saw, end to end (stream: until the last chunk). */
  readonly latencyMs: Percentiles;
  /** Until the first byte (stream: the first content chunk). */
  readonly timeToFirstByteMs: Percentiles;
  readonly failovers: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly malformed: number;
  readonly tokens: Tokens;
  readonly routes: readonly RouteSummary[];
}

export type StatisticsEvent = EngineEvent | CircuitEvent | { readonly type: 'request-unmatched'; readonly model: string; readonly at: number };

interface TargetCounters {
  readonly target: Target;
  readonly role: 'target' | 'fallback';
  configuredShare: number;
  firstPicks: number;
  answered: number;
  attempts: number;
  retries: number;
  readonly failovers: Map<string, number>;
  readonly skipped: Map<string, number>;
  prompt: number;
  completion: number;
}

interface RouteCounters {
  readonly name: string;
  requests: number;
  successes: number;
  readonly latencies: number[];
  readonly targets: Map<string, TargetCounters>;
}

export interface Statistics {
  add(event: StatisticsEvent): void;
  /** `simulatedMs`: the virtual clock when the last request ended. */
  summary(seed: number, simulatedMs: number): SimulationSummary;
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}

/** Nearest-rank percentiles (no interpolation: every figure is a latency that happened). */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0, 1);
  return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: round(sorted[sorted.length - 1] ?? 0, 1) };
}

const targetKey = (provider: string, model: string): string => `${provider}/${model}`;

export function createStatistics(manifest: Manifest): Statistics {
  const routes = new Map<string, RouteCounters>();
  for (const route of manifest.routes) {
    const probabilities = firstPickProbabilities(route);
    const targets = new Map<string, TargetCounters>();
    const add = (target: Target, role: 'target' | 'fallback', configuredShare: number): void => {
      const key = targetKey(target.provider, target.model);
      const listed = targets.get(key);
      if (listed !== undefined) {
        // The same provider/model listed twice is one target whose first-pick share is the sum (as dry-run and diff count it).
        if (role === 'target') listed.configuredShare += configuredShare;
        return;
      }
      targets.set(key, { target, role, configuredShare, firstPicks: 0, answered: 0, attempts: 0, retries: 0, failovers: new Map(), skipped: new Map(), prompt: 0, completion: 0 });
    };
    route.targets.forEach((target, index) => add(target, 'target', probabilities[index] ?? 0));
    if (route.fallback !== undefined) add(route.fallback, 'fallback', 0);
    routes.set(route.name, { name: route.name, requests: 0, successes: 0, latencies: [], targets });
  }
  const circuits = new Map<string, { count: number; totalMs: number; probes: number }>();
  const outcomes = new Map<string, number>();
  const statuses = new Map<string, number>();
  const failovers = new Map<string, number>();
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  let requests = 0;
  let retries = 0;
  let malformed = 0;
  let prompt = 0;
  let completion = 0;

  const addAttempt = (route: RouteCounters, record: AttemptRecord, outcome: AttemptOutcome): void => {
    const counters = route.targets.get(targetKey(record.provider, record.model));
    if (counters === undefined) return;
    if (outcome === 'skipped') {
      increment(counters.skipped, record.reason ?? 'none');
      return;
    }
    counters.attempts += 1;
    if (outcome === 'retry') {
      counters.retries += 1;
      retries += 1;
    } else if (isFailover(outcome) && record.reason !== null) {
      increment(counters.failovers, record.reason);
      increment(failovers, record.reason);
    }
  };

  const addResult = (result: EngineResult): void => {
    const route = routes.get(result.route);
    requests += 1;
    increment(outcomes, result.outcome);
    increment(statuses, String(result.status));
    latencies.push(result.durationMs);
    if (result.timeToFirstByteMs !== undefined) firstBytes.push(result.timeToFirstByteMs);
    malformed += result.malformed;
    if (route === undefined) return;
    route.requests += 1;
    route.latencies.push(result.durationMs);
    const first = result.attempts[0];
    if (first !== undefined) {
      const counters = route.targets.get(targetKey(first.provider, first.model));
      if (counters !== undefined) counters.firstPicks += 1;
    }
    // Counted as serve's metrics count them: the last candidate's failure is no failover.
    const lastCall = lastCallIndex(result.attempts);
    result.attempts.forEach((record, index) => addAttempt(route, record, countedOutcome(result.attempts, index, lastCall)));
    if (result.outcome !== 'success' || result.provider === undefined) return;
    route.successes += 1;
    let answering: AttemptRecord | undefined;
    for (let index = result.attempts.length - 1; index >= 0 && answering === undefined; index -= 1) {
      if (result.attempts[index]?.outcome === 'success') answering = result.attempts[index];
    }
    const counters = answering === undefined ? undefined : route.targets.get(targetKey(answering.provider, answering.model));
    if (counters !== undefined) {
      counters.answered += 1;
      counters.prompt += result.usage?.prompt_tokens ?? 0;
      counters.completion += result.usage?.completion_tokens ?? 0;
    }
    prompt += result.usage?.prompt_tokens ?? 0;
    completion += result.usage?.completion_tokens ?? 0;
  };

  return {
    add(event) {
      switch (event.type) {
        case 'request-end':
          addResult(event.result);
          return;
        case 'request-unmatched':
          requests += 1;
          increment(outcomes, 'error');
          increment(statuses, '404');
          latencies.push(0);
          return;
        case 'circuit-open': {
          const key = targetKey(event.provider, event.model);
          const circuit = circuits.get(key) ?? { count: 0, totalMs: 0, probes: 0 };
          circuit.count += 1;
          circuit.totalMs += event.openMs;
          circuits.set(key, circuit);
          return;
        }
        case 'circuit-half-open': {
          const circuit = circuits.get(targetKey(event.provider, event.model));
          if (circuit !== undefined) circuit.probes += 1;
          return;
        }
        default:
          return;
      }
    },
    summary(seed, simulatedMs) {
      const successes = outcomes.get('success') ?? 0;
      return {
        version: SIMULATION_JSON_VERSION,
        seed,
        requests,
        simulatedMs: round(simulatedMs, 1),
        successRate: requests === 0 ? 0 : round(successes / requests, 6),
        outcomes: sortedRecord(outcomes),
        statuses: sortedRecord(statuses),
        latencyMs: percentiles(latencies),
        timeToFirstByteMs: percentiles(firstBytes),
        failovers: sortedRecord(failovers),
        retries,
        malformed,
        tokens: { prompt, completion, total: prompt + completion },
        routes: [...routes.values()].map((route) => ({
          name: route.name,
          requests: route.requests,
          successRate: route.requests === 0 ? 0 : round(route.successes / route.requests, 6),
          latencyMs: percentiles(route.latencies),
          targets: [...route.targets.values()].map((counters) => ({
            provider: counters.target.provider,
            model: counters.target.model,
            role: counters.role,
            weight: counters.target.weight,
            configuredShare: round(counters.configuredShare, 4),
            firstShare: route.requests === 0 ? 0 : round(counters.firstPicks / route.requests, 4),
            observedShare: route.successes === 0 ? 0 : round(counters.answered / route.successes, 4),
            answered: counters.answered,
            attempts: counters.attempts,
            retries: counters.retries,
            failovers: sortedRecord(counters.failovers),
            skipped: sortedRecord(counters.skipped),
            tokens: { prompt: counters.prompt, completion: counters.completion, total: counters.prompt + counters.completion },
            cooldowns: circuits.get(targetKey(counters.target.provider, counters.target.model)) ?? { count: 0, totalMs: 0, probes: 0 },
          })),
        })),
      };
    },
  };
}
