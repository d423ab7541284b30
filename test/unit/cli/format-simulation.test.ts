import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpectation, parseExpectation } from '../../../cli/simulate/expect.js';
import { formatDuration, renderSimulationText } from '../../../cli/format/simulation-text.js';
import { renderSimulationJson } from '../../../cli/format/simulation-json.js';
import { assertGolden } from '../../helpers/golden.js';
import { SUMMARY } from './summary-fixture.js';

const expectations = ['success_rate>=0.99', 'p95_ms<800'].map((source) => evaluateExpectation(SUMMARY, parseExpectation(source)));

test('the text report: totals, the per-target table and the expectations (golden)', () => {
  assertGolden(import.meta.url, 'simulation.txt', renderSimulationText(SUMMARY, expectations, { color: false }));
});

test('interrupted streams are named next to the statuses (their status is 200), and nothing is said without them', () => {
  const interrupted = { ...SUMMARY, outcomes: { success: 995, interrupted: 3, error: 2 } };
  assert.match(renderSimulationText(interrupted, [], { color: false }), /statuses [^\n]*\(3 of them streams interrupted in-band\)/);
  assert.doesNotMatch(renderSimulationText(SUMMARY, [], { color: false }), /interrupted in-band/);
});

test('the text report is plain without colour and coloured with it', () => {
  assert.doesNotMatch(renderSimulationText(SUMMARY, expectations, { color: false }), /\u001b\[/);
  assert.match(renderSimulationText(SUMMARY, expectations, { color: true }), /\u001b\[/);
});

test('the json report is the summary plus the expectations (golden)', () => {
  const json = renderSimulationJson(SUMMARY, expectations);
  assertGolden(import.meta.url, 'simulation.json', json);
  const parsed = JSON.parse(json) as { version: number; expectations: { passed: boolean }[] };
  assert.equal(parsed.version, 1);
  assert.deepEqual(parsed.expectations.map((result) => result.passed), [true, false]);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(1_500), '1.5 s');
  assert.equal(formatDuration(200_000), '3m 20s');
  assert.equal(formatDuration(3_600_000), '1h 00m');
});

test('routes the scenario sent nothing to share one line, ten named and the rest counted: a large manifest does not bury the report', () => {
  const [busy] = SUMMARY.routes;
  assert.ok(busy !== undefined);
  const idle = Array.from({ length: 1_999 }, (_, index) => ({ ...busy, name: `idle-${index}`, requests: 0, targets: [] }));
  const text = renderSimulationText({ ...SUMMARY, routes: [busy, ...idle] }, [], { color: false });
  assert.equal(text.match(/no requests in this scenario/g)?.length, 1);
  assert.match(text, /1999 routes idle-0, idle-1, [^\n]*idle-9 and 1989 more: no requests in this scenario/);
  assert.ok(text.split('\n').length < 40, `${text.split('\n').length} lines`);
  const one = renderSimulationText({ ...SUMMARY, routes: [busy, idle[0] as typeof busy] }, [], { color: false });
  assert.match(one, /Route idle-0: no requests in this scenario/);
});
