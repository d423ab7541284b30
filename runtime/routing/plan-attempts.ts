/**
 * Design §3.2: the attempt plan. One target is picked with probability weight/sum(weights) using the
 * injected Random (weight 0 is never picked first); then come the other targets in file order, then the
 * route's `fallback`. Open circuits are handled while the plan runs (try-candidate.ts): an open
 * candidate is skipped unless no later candidate can take part.
 */
import type { Random } from '../clock.js';
import type { Route, Target } from '../manifest/types.js';
import type { Candidate } from './types.js';

export function planAttempts(route: Route, random: Random): readonly Candidate[] {
  const first = pickFirst(route.targets, random.next());
  const plan: Candidate[] = [];
  if (first !== undefined) plan.push({ target: route.targets[first] as Target, role: 'target' });
  route.targets.forEach((target, index) => {
    if (index !== first) plan.push({ target, role: 'target' });
  });
  if (route.fallback !== undefined) plan.push({ target: route.fallback, role: 'fallback' });
  return plan;
}

/**
 * The index picked by `draw` ∈ [0, 1) over the cumulative weights, or undefined when every weight is
 * 0 (then the targets are tried in file order; the linter flags such a route).
 */
export function pickFirst(targets: readonly Target[], draw: number): number | undefined {
  const total = targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
  if (!(total > 0)) return undefined;
  let threshold = draw * total;
  let last: number | undefined;
  for (let index = 0; index < targets.length; index += 1) {
    const weight = Math.max(0, (targets[index] as Target).weight);
    if (weight === 0) continue;
    last = index;
    if (threshold < weight) return index;
    threshold -= weight;
  }
  // Floating-point rounding at draw → 1 lands here: the last positive-weight target.
  return last;
}

/** Each target's probability of being tried first (dry-run, simulate's configured share). */
export function firstPickProbabilities(route: Route): readonly number[] {
  const total = route.targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
  if (!(total > 0)) return route.targets.map((_, index) => (index === 0 ? 1 : 0));
  return route.targets.map((target) => Math.max(0, target.weight) / total);
}
