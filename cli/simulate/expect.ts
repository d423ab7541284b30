/**
 * `--expect` expressions: a CI gate over the simulation summary. Grammar:
 *
 *     expectation := figure operator number [('±' | '+-') tolerance]
 *     figure      := name | name '(' argument ')'
 *     operator    := '>=' | '<=' | '>' | '<' | '==' | '!=' | '~'      ('~' needs a tolerance)
 *
 * Figures: success_rate, error_rate, requests, p50_ms, p95_ms, p99_ms, ttfb_p50_ms, ttfb_p95_ms,
 * ttfb_p99_ms, retries, failovers, failovers(REASON), skips, skips(REASON), share(PROVIDER[/MODEL]),
 * attempts(PROVIDER[/MODEL]), cooldowns(PROVIDER[/MODEL]), status(CODE). REASON is one of the engine's failover reasons and CODE an
 * HTTP status; anything else is a syntax error, not a silent 0. A failing expectation names the figure it saw.
 */
import { FAILOVER_REASONS } from '../../runtime/routing/types.js';
import type { SimulationSummary, TargetSummary } from './statistics.js';

export type Operator = '>=' | '<=' | '>' | '<' | '==' | '!=' | '~';

export interface Expectation {
  readonly source: string;
  readonly figure: string;
  readonly argument?: string;
  readonly operator: Operator;
  readonly value: number;
  readonly tolerance?: number;
}

export interface ExpectationResult {
  readonly expression: string;
  readonly passed: boolean;
  /** The figure's value in this run (null when the argument names nothing in the run). */
  readonly actual: number | null;
  readonly message: string;
}

export class ExpectationSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationSyntaxError';
  }
}

const FIGURES = new Set([
  'success_rate', 'error_rate', 'requests', 'p50_ms', 'p95_ms', 'p99_ms', 'ttfb_p50_ms', 'ttfb_p95_ms', 'ttfb_p99_ms',
  'retries', 'failovers', 'skips',
]);
const FIGURES_WITH_ARGUMENT = new Set(['share', 'attempts', 'cooldowns', 'failovers', 'skips', 'status']);

/**
 * Reasons an attempt never fails over with, so failovers(REASON) would always read 0: an open circuit
 * or a full provider ceiling skips the target without a call (skips(REASON)); a client error or a
 * content filter is returned to the app (status(CODE)).
 */
const NEVER_FAILOVERS: Readonly<Record<string, string>> = {
  circuit_open: 'skips(circuit_open)',
  quota_full: 'skips(quota_full)',
  client_error: 'status(400) or another 4xx',
  content_filter: 'status(400)',
};

const GRAMMAR = /^\s*([a-z_0-9]+)\s*(?:\(\s*([^()\s]+)\s*\))?\s*(>=|<=|==|!=|>|<|~)\s*(-?\d+(?:\.\d+)?)\s*(?:(?:±|\+-)\s*(\d+(?:\.\d+)?))?\s*$/;

export function parseExpectation(source: string): Expectation {
  const match = GRAMMAR.exec(source);
  if (match === null) {
    throw new ExpectationSyntaxError(`cannot read --expect '${source}': write FIGURE OP NUMBER, e.g. 'success_rate>=0.999' or 'share(anthropic)~0.6±0.02'`);
  }
  const [, figure = '', argument, operator = '', value = '', tolerance] = match;
  const known = argument === undefined ? FIGURES.has(figure) : FIGURES_WITH_ARGUMENT.has(figure);
  if (!known) {
    throw new ExpectationSyntaxError(`--expect '${source}': unknown figure ${argument === undefined ? figure : `${figure}(…)`}; `
      + `figures: ${[...FIGURES].join(', ')}, ${[...FIGURES_WITH_ARGUMENT].map((name) => `${name}(…)`).join(', ')}`);
  }
  if (argument !== undefined) checkArgument(source, figure, argument);
  if (operator === '~' && tolerance === undefined) throw new ExpectationSyntaxError(`--expect '${source}': '~' needs a tolerance, e.g. ~0.6±0.02`);
  if (operator !== '~' && tolerance !== undefined) throw new ExpectationSyntaxError(`--expect '${source}': a tolerance goes with '~' only`);
  return {
    source: source.trim(),
    figure,
    ...(argument === undefined ? {} : { argument }),
    operator: operator as Operator,
    value: Number(value),
    ...(tolerance === undefined ? {} : { tolerance: Number(tolerance) }),
  };
}

/**
 * A misspelt reason or status would read as 0 and pass the gate silently (`failovers(latncy)==0`):
 * both vocabularies are closed, so anything outside them is a usage error naming the valid ones.
 */
function checkArgument(source: string, figure: string, argument: string): void {
  if ((figure === 'failovers' || figure === 'skips') && !(FAILOVER_REASONS as readonly string[]).includes(argument)) {
    throw new ExpectationSyntaxError(`--expect '${source}': unknown reason "${argument}"; reasons: ${FAILOVER_REASONS.join(', ')}`);
  }
  const instead = NEVER_FAILOVERS[argument];
  if (figure === 'failovers' && instead !== undefined) {
    throw new ExpectationSyntaxError(`--expect '${source}': a target is never failed over with "${argument}", so this would always read 0; count it with ${instead}`);
  }
  if (figure === 'status' && !/^[1-5]\d\d$/.test(argument)) {
    throw new ExpectationSyntaxError(`--expect '${source}': "${argument}" is not an HTTP status; write three digits from 100 to 599, e.g. status(502)`);
  }
}

/** Targets of every route that `argument` (provider or provider/model) names. */
function targetsNamed(summary: SimulationSummary, argument: string): TargetSummary[] {
  return summary.routes.flatMap((route) => route.targets)
    .filter((target) => target.provider === argument || `${target.provider}/${target.model}` === argument);
}

export function figureValue(summary: SimulationSummary, figure: string, argument?: string): number | null {
  const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
  switch (figure) {
    case 'success_rate': return summary.successRate;
    case 'error_rate': return summary.requests === 0 ? 0 : Math.round((1 - summary.successRate) * 1e6) / 1e6;
    case 'requests': return summary.requests;
    case 'p50_ms': return summary.latencyMs.p50;
    case 'p95_ms': return summary.latencyMs.p95;
    case 'p99_ms': return summary.latencyMs.p99;
    case 'ttfb_p50_ms': return summary.timeToFirstByteMs.p50;
    case 'ttfb_p95_ms': return summary.timeToFirstByteMs.p95;
    case 'ttfb_p99_ms': return summary.timeToFirstByteMs.p99;
    case 'retries': return summary.retries;
    case 'failovers':
      return argument === undefined ? sum(Object.values(summary.failovers)) : summary.failovers[argument] ?? 0;
    case 'skips': {
      // Candidates passed over without a call (circuit_open, quota_full, a parameter not sent).
      const skipped = summary.routes.flatMap((route) => route.targets).map((target) => (argument === undefined ? sum(Object.values(target.skipped)) : target.skipped[argument] ?? 0));
      return sum(skipped);
    }
    case 'status': return summary.statuses[argument ?? ''] ?? 0;
    case 'share': {
      const targets = targetsNamed(summary, argument ?? '');
      if (targets.length === 0) return null;
      const answered = sum(summary.routes.flatMap((route) => route.targets.map((target) => target.answered)));
      return answered === 0 ? 0 : Math.round((sum(targets.map((target) => target.answered)) / answered) * 1e4) / 1e4;
    }
    case 'attempts': {
      const targets = targetsNamed(summary, argument ?? '');
      return targets.length === 0 ? null : sum(targets.map((target) => target.attempts));
    }
    case 'cooldowns': {
      const targets = targetsNamed(summary, argument ?? '');
      // A target in several routes shares one circuit: count it once per provider/model.
      const circuits = new Map(targets.map((target) => [`${target.provider}/${target.model}`, target.cooldowns.count]));
      return targets.length === 0 ? null : sum([...circuits.values()]);
    }
    default:
      return null;
  }
}

function holds(actual: number, expectation: Expectation): boolean {
  const { value } = expectation;
  switch (expectation.operator) {
    case '>=': return actual >= value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '<': return actual < value;
    case '==': return actual === value;
    case '!=': return actual !== value;
    case '~': return Math.abs(actual - value) <= (expectation.tolerance ?? 0) + 1e-12;
    default: {
      const never: never = expectation.operator;
      return never;
    }
  }
}

export function evaluateExpectation(summary: SimulationSummary, expectation: Expectation): ExpectationResult {
  const name = expectation.argument === undefined ? expectation.figure : `${expectation.figure}(${expectation.argument})`;
  const actual = figureValue(summary, expectation.figure, expectation.argument);
  if (actual === null) {
    return { expression: expectation.source, passed: false, actual, message: `${name}: "${expectation.argument ?? ''}" is no provider or provider/model of this manifest` };
  }
  const passed = holds(actual, expectation);
  return { expression: expectation.source, passed, actual, message: `${name} was ${actual}` };
}
