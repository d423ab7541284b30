/**
 * `--expect failovers(REASON)` and `status(CODE)` take closed vocabularies (review finding 7): a typo
 * such as `failovers(latncy)==0` or `status(5o2)==0` used to read as 0 and pass the CI gate. It is a
 * usage error (exit 2) naming the valid values, like an unknown figure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../../cli/io.js';
import { main } from '../../../cli/main.js';
import { ExpectationSyntaxError, parseExpectation } from '../../../cli/simulate/expect.js';
import { FAILOVER_REASONS } from '../../../runtime/routing/types.js';
import { createTestIo } from '../../helpers/io.js';

test('a misspelt failover reason is a syntax error that lists every reason', () => {
  assert.throws(() => parseExpectation('failovers(latncy)==0'), (error: unknown) => {
    assert.ok(error instanceof ExpectationSyntaxError);
    assert.equal(error.message, `--expect 'failovers(latncy)==0': unknown reason "latncy"; reasons: ${FAILOVER_REASONS.join(', ')}`);
    return true;
  });
  // The manifest's failover_on spelling is not the reason vocabulary the summary counts by.
  assert.throws(() => parseExpectation('failovers(5xx)==0'), /unknown reason "5xx"; reasons: retryable_5xx, rate_limited, latency/);
});

test('every reason of the engine is accepted by skips(), and by failovers() unless no attempt ever fails over with it', () => {
  const neverFailedOver = new Set(['circuit_open', 'quota_full', 'client_error', 'content_filter']);
  for (const reason of FAILOVER_REASONS) {
    assert.equal(parseExpectation(`skips(${reason})==0`).argument, reason);
    if (neverFailedOver.has(reason)) assert.throws(() => parseExpectation(`failovers(${reason})==0`), /would always read 0/);
    else assert.equal(parseExpectation(`failovers(${reason})==0`).argument, reason);
  }
});

test('status() takes an HTTP status of three digits, 100 to 599', () => {
  for (const bad of ['5o2', '42', '5020', '600', 'ok', '099']) {
    assert.throws(() => parseExpectation(`status(${bad})==0`), new RegExp(`"${bad}" is not an HTTP status; write three digits from 100 to 599, e.g. status\\(502\\)`), bad);
  }
  for (const good of ['100', '200', '404', '502', '599']) assert.equal(parseExpectation(`status(${good})==0`).argument, good);
});

test('aigw simulate with a misspelt reason or status exits 2 before simulating, naming the valid values', async () => {
  for (const [expectation, message] of [
    ['failovers(latncy)==0', /unknown reason "latncy"; reasons: .*\blatency\b/],
    ['status(5o2)==0', /"5o2" is not an HTTP status/],
  ] as const) {
    const io = createTestIo();
    assert.equal(await main(['simulate', 'test/manifests/good/001-seed.yaml', '--requests', '10', '--expect', expectation], io), ExitCode.Usage, expectation);
    assert.match(io.err(), message);
    assert.equal(io.out(), '');
  }
});
