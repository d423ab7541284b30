/**
 * `aigw simulate` for people: one line for the whole run, then per route a table of its targets —
 * configured weight share vs observed traffic share, attempts, failovers by reason, cooldown periods,
 * tokens — and the expectations with the figures seen. Built from the same summary as the json output.
 */
import type { ExpectationResult } from '../simulate/expect.js';
import type { Percentiles, RouteSummary, SimulationSummary, TargetSummary } from '../simulate/statistics.js';
import { palette, type Palette } from './diagnostics-palette.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
/** A success rate, rounded down: 19 997 of 20 000 read 99.9%, never a 100.0% that hides 3 failures. */
const successPercent = (value: number): string => `${(Math.floor(value * 1000 + 1e-9) / 10).toFixed(1)}%`;
const milliseconds = (value: number): string => `${Math.round(value)}`;

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

function latency(label: string, value: Percentiles): string {
  return `${label} p50 ${milliseconds(value.p50)} · p95 ${milliseconds(value.p95)} · p99 ${milliseconds(value.p99)} ms`;
}

function reasons(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '-' : entries.map(([reason, count]) => `${reason} ${count}`).join(', ');
}

/** ` (interrupted streams N)` when some ended with an in-band error event, else nothing. */
function interrupted(outcomes: Readonly<Record<string, number>>): string {
  const count = outcomes['interrupted'] ?? 0;
  return count === 0 ? '' : ` (${count} of them streams interrupted in-band)`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

function targetRow(target: TargetSummary): string[] {
  const name = `${target.provider}/${target.model}${target.role === 'fallback' ? ' (fallback)' : ''}`;
  const cooldowns = target.cooldowns.count === 0 ? '-' : `${target.cooldowns.count} (${formatDuration(target.cooldowns.totalMs)})`;
  const skipped = Object.values(target.skipped).reduce((sum, count) => sum + count, 0);
  return [
    name,
    target.role === 'fallback' ? '-' : percent(target.configuredShare),
    percent(target.observedShare),
    String(target.attempts),
    String(target.retries),
    reasons(target.failovers),
    skipped === 0 ? '-' : reasons(target.skipped),
    cooldowns,
    String(target.tokens.total),
  ];
}

/** Routes listed by name before the rest are counted (a manifest may have thousands). */
const IDLE_ROUTES_LISTED = 10;

/** The routes the scenario sent nothing to, on one line: a report per route would bury the others. */
function renderIdleRoutes(routes: readonly RouteSummary[], paint: Palette): string[] {
  const idle = routes.filter((route) => route.requests === 0).map((route) => route.name);
  if (idle.length === 0) return [];
  const listed = idle.slice(0, IDLE_ROUTES_LISTED).join(', ');
  const more = idle.length > IDLE_ROUTES_LISTED ? ` and ${idle.length - IDLE_ROUTES_LISTED} more` : '';
  const label = idle.length === 1 ? 'Route' : `${idle.length} routes`;
  return ['', `${paint.bold(`${label} ${listed}${more}`)}: ${paint.dim('no requests in this scenario (see its models: mix)')}`];
}

function renderRoute(route: RouteSummary, paint: Palette): string[] {
  if (route.requests === 0) return [];
  return [
    '',
    `${paint.bold(`Route ${route.name}`)}: ${route.requests} requests, success ${successPercent(route.successRate)}, ${latency('latency', route.latencyMs)}`,
    ...table([
      ['target', 'weight', 'share', 'attempts', 'retries', 'failovers', 'skipped', 'cooldowns', 'tokens'],
      ...route.targets.map(targetRow),
    ]).map((line, index) => `  ${index === 0 ? paint.dim(line) : line}`),
  ];
}

export function renderSimulationText(summary: SimulationSummary, expectations: readonly ExpectationResult[], options: { color: boolean }): string {
  const paint = palette(options.color);
  const success = successPercent(summary.successRate);
  const lines = [
    `${paint.bold('Simulated')} ${summary.requests} requests over ${formatDuration(summary.simulatedMs)} of virtual time (seed ${summary.seed}): `
      + `success ${summary.successRate >= 0.999 ? paint.green(success) : paint.yellow(success)}`,
    `  ${latency('latency the app saw:', summary.latencyMs)}; ${latency('first byte', summary.timeToFirstByteMs)}`,
    // A stream that began 200 and ended with an in-band error is no success; its status does not say so.
    `  statuses ${reasons(summary.statuses)}${interrupted(summary.outcomes)} · failovers ${reasons(summary.failovers)} · retries ${summary.retries}`
      + ` · tokens ${summary.tokens.total}${summary.malformed === 0 ? '' : ` · malformed events skipped ${summary.malformed}`}`,
    ...summary.routes.flatMap((route) => renderRoute(route, paint)),
    ...renderIdleRoutes(summary.routes, paint),
  ];
  if (expectations.length > 0) {
    lines.push('', paint.bold('Expectations'));
    for (const result of expectations) {
      lines.push(result.passed
        ? `  ${paint.green('✔')} ${result.expression} (${result.message})`
        : `  ${paint.red('✖')} ${result.expression}: ${result.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
