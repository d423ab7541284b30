import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../runtime/clock.js';
import { firstPickProbabilities, pickFirst, planAttempts } from '../../../runtime/routing/plan-attempts.js';
import { route, target } from './fakes.js';
import { draws } from './harness.js';

const seed = route([target('anthropic', 'claude-haiku-4-5', 60), target('openai', 'gpt-4o-mini', 40)], { fallback: target('ollama', 'llama-3.1', 0) });

test('over 20 000 picks the first-pick shares are within ±1.5 points of the weights', () => {
  const random = seededRandom(42);
  let anthropic = 0;
  const picks = 20_000;
  for (let index = 0; index < picks; index += 1) {
    if (planAttempts(seed, random)[0]?.target.provider === 'anthropic') anthropic += 1;
  }
  const share = anthropic / picks;
  assert.ok(Math.abs(share - 0.6) <= 0.015, `anthropic share ${share}`);
});

test('the plan is the picked target, then the other targets in file order, then the fallback', () => {
  const three = route([target('a', 'm', 1), target('b', 'm', 1), target('c', 'm', 1)], { fallback: target('f', 'm', 0) });
  assert.deepEqual(planAttempts(three, draws(0.5)).map((candidate) => [candidate.target.provider, candidate.role]), [
    ['b', 'target'], ['a', 'target'], ['c', 'target'], ['f', 'fallback'],
  ]);
  assert.deepEqual(planAttempts(three, draws(0.99)).map((candidate) => candidate.target.provider), ['c', 'a', 'b', 'f']);
});

test('a weight-0 target is never picked first, whatever the draw', () => {
  const targets = [target('zero', 'm', 0), target('one', 'm', 3), target('also-zero', 'm', 0)];
  for (const draw of [0, 0.000001, 0.5, 0.999999]) assert.equal(pickFirst(targets, draw), 1);
  assert.deepEqual(planAttempts(route(targets), draws(0)).map((candidate) => candidate.target.provider), ['one', 'zero', 'also-zero']);
});

test('weight/sum is the probability of being first; all-zero weights fall back to file order', () => {
  assert.deepEqual(firstPickProbabilities(seed), [0.6, 0.4]);
  const zeros = route([target('a', 'm', 0), target('b', 'm', 0)]);
  assert.equal(pickFirst(zeros.targets, 0.3), undefined);
  assert.deepEqual(planAttempts(zeros, draws(0.3)).map((candidate) => candidate.target.provider), ['a', 'b']);
  assert.deepEqual(firstPickProbabilities(zeros), [1, 0]);
});
