import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpectation, ExpectationSyntaxError, parseExpectation } from '../../../cli/simulate/expect.js';
import { SUMMARY } from './summary-fixture.js';

const check = (source: string) => evaluateExpectation(SUMMARY, parseExpectation(source));

test('the three forms of the issue parse and evaluate', () => {
  assert.deepEqual(parseExpectation('success_rate>=0.999'), { source: 'success_rate>=0.999', figure: 'success_rate', operator: '>=', value: 0.999 });
  assert.deepEqual(parseExpectation("share(anthropic)~0.6±0.02"), { source: 'share(anthropic)~0.6±0.02', figure: 'share', argument: 'anthropic', operator: '~', value: 0.6, tolerance: 0.02 });
  assert.deepEqual(parseExpectation(' p95_ms < 900 '), { source: 'p95_ms < 900', figure: 'p95_ms', operator: '<', value: 900 });
  assert.equal(parseExpectation('share(anthropic)~0.6+-0.02').tolerance, 0.02);
});

test('a failing expectation names the figure it saw', () => {
  const failed = check('success_rate>=0.999');
  assert.equal(failed.passed, false);
  assert.equal(failed.actual, 0.998);
  assert.equal(failed.message, 'success_rate was 0.998');
  assert.equal(check('p95_ms<900').passed, true);
  assert.equal(check('p99_ms<900').message, 'p99_ms was 1231');
});

test('share() is the share of answered requests; ~ holds within the tolerance', () => {
  assert.equal(check('share(anthropic)~0.6±0.02').passed, true);
  assert.equal(check('share(anthropic)~0.6±0.01').passed, false);
  assert.equal(check('share(anthropic)~0.6±0.01').actual, 0.5812);
  assert.equal(check('share(openai/gpt-4o-mini)>0.4').passed, true);
});

test('every figure evaluates', () => {
  const table: [string, number][] = [
    ['error_rate==0.002', 0.002], ['requests==1000', 1000], ['p50_ms==431', 431], ['ttfb_p50_ms==300', 300], ['ttfb_p95_ms==700', 700],
    ['ttfb_p99_ms==1100', 1100], ['retries==25', 25], ['failovers==42', 42], ['failovers(latency)==12', 12],
    ['attempts(anthropic)==640', 640], ['cooldowns(anthropic)==2', 2], ['status(502)==2', 2], ['status(429)==0', 0],
  ];
  for (const [source, actual] of table) {
    const result = check(source);
    assert.equal(result.actual, actual, source);
    assert.equal(result.passed, true, source);
  }
  for (const operator of ['>', '<=', '!=']) assert.equal(typeof check(`requests${operator}1`).passed, 'boolean');
});

test('an argument that names nothing in the run fails with that said', () => {
  const result = check('share(antropic)~0.6±0.02');
  assert.equal(result.passed, false);
  assert.equal(result.actual, null);
  assert.match(result.message, /"antropic" is no provider/);
});

test('syntax errors say what is wrong', () => {
  for (const [source, message] of [
    ['success_rate', /write FIGURE OP NUMBER/],
    ['succes_rate>=1', /unknown figure succes_rate/],
    ['share(anthropic)~0.6', /needs a tolerance/],
    ['p95_ms<900±5', /tolerance goes with '~' only/],
    ['share>0.5', /unknown figure share/],
  ] as const) {
    assert.throws(() => parseExpectation(source), (error: unknown) => error instanceof ExpectationSyntaxError && message.test(error.message), source);
  }
});

test('skips(REASON) counts candidates passed over without a call; failovers() of a reason that never fails over is a usage error pointing there', () => {
  assert.equal(check('skips(circuit_open)==8').passed, true);
  assert.equal(check('skips==8').actual, 8);
  assert.equal(check('skips(quota_full)==0').actual, 0);
  assert.throws(() => parseExpectation('failovers(circuit_open)>0'), (error: unknown) =>
    error instanceof ExpectationSyntaxError && /never failed over with "circuit_open".*skips\(circuit_open\)/.test(error.message));
  assert.throws(() => parseExpectation('failovers(quota_full)==0'), /skips\(quota_full\)/);
  assert.throws(() => parseExpectation('skips(latncy)==0'), /unknown reason "latncy"/);
});
