/**
 * `aigw simulate --format json`: the summary (statistics.ts fixes its order and precision) plus the
 * expectations. Nothing in it depends on the wall clock or the terminal, so one manifest, scenario and
 * seed give the same bytes every time, with or without the live view.
 */
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import type { ExpectationResult } from '../simulate/expect.js';
import type { SimulationSummary } from '../simulate/statistics.js';

/** `warnings`: the manifest's unresolved `${VAR}`s (--allow-missing-env), present only when there are some. */
export function renderSimulationJson(summary: SimulationSummary, expectations: readonly ExpectationResult[], warnings: readonly Diagnostic[] = []): string {
  return `${JSON.stringify({ ...summary, expectations, ...(warnings.length > 0 ? { warnings } : {}) }, null, 2)}\n`;
}
