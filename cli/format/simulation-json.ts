/**
 * `aigw simulate --format json`: the summary (statistics.ts fixes its order and precision) plus the
 * expectations. Nothing in it depends on the wall clock or the terminal, so one manifest, scenario and
 * seed give the same bytes every time, with or without the live view.
 */
import type { ExpectationResult } from '../simulate/expect.js';
import type { SimulationSummary } from '../simulate/statistics.js';

export function renderSimulationJson(summary: SimulationSummary, expectations: readonly ExpectationResult[]): string {
  return `${JSON.stringify({ ...summary, expectations }, null, 2)}\n`;
}
