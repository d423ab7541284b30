/**
 * How a finished run's attempts count (routing/counted-outcome.ts): serve's metrics, the audit record's
 * `aigw.failover` and simulate all read them through one function, so they cannot disagree.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countedOutcome, failedOver, lastCallIndex } from '../../../runtime/routing/counted-outcome.js';
import type { AttemptOutcome, AttemptRecord } from '../../../runtime/routing/types.js';
import { CHAT, entry, manifest, route, target } from './fakes.js';
import { harness } from './harness.js';

function call(provider: string, outcome: AttemptOutcome, model = 'm'): AttemptRecord {
  const failed = outcome !== 'success' && outcome !== 'skipped';
  return {
    provider, providerType: 'openai', model, outcome, startMs: 0, durationMs: 1, dropped: [],
    status: outcome === 'skipped' ? 0 : failed ? 503 : 200,
    reason: outcome === 'skipped' ? 'circuit_open' : failed ? 'retryable_5xx' : null,
  };
}

const counted = (attempts: readonly AttemptRecord[]): AttemptOutcome[] =>
  attempts.map((_, index) => countedOutcome(attempts, index, lastCallIndex(attempts)));

/** [label, the engine's records, how each counts, whether the run failed over]. */
const CASES: readonly (readonly [string, readonly AttemptRecord[], readonly AttemptOutcome[], boolean])[] = [
  ['no attempt', [], [], false],
  ['one answer', [call('a', 'success')], ['success'], false],
  ['one failure, nothing after it (labelled failover before the engine knew)', [call('a', 'failover')], ['returned'], false],
  ['a stream broken on its only attempt', [call('a', 'continued')], ['returned'], false],
  ['a retry of the same target, then its answer', [call('a', 'retry'), call('a', 'success')], ['retry', 'success'], false],
  ['a retry that never ran (cut short: the timeout, the client)', [call('a', 'retry')], ['returned'], false],
  ['a failure followed only by skipped candidates', [call('a', 'failover'), call('b', 'skipped')], ['returned', 'skipped'], false],
  ['a skipped candidate, then an answer', [call('a', 'skipped'), call('b', 'success')], ['skipped', 'success'], false],
  ['two targets both failing', [call('a', 'failover'), call('b', 'failover')], ['failover', 'returned'], true],
  ['another model of the same provider after a failure', [call('a', 'failover'), call('a', 'success', 'n')], ['failover', 'success'], true],
  ['retried, skipped past, then answered elsewhere', [call('a', 'retry'), call('a', 'failover'), call('b', 'skipped'), call('c', 'success')],
    ['retry', 'failover', 'skipped', 'success'], true],
  ['a retry whose own next try was skipped (its circuit opened), then another target', [call('a', 'retry'), call('a', 'skipped'), call('b', 'success')],
    ['failover', 'skipped', 'success'], true],
  ['a stream continued on another target', [call('a', 'continued'), call('b', 'success')], ['continued', 'success'], true],
];

test('each failure counts by the call that followed it, and the run failed over only when another target was called', () => {
  for (const [label, attempts, outcomes, failover] of CASES) {
    assert.deepEqual(counted(attempts), outcomes, label);
    assert.equal(failedOver(attempts), failover, label);
  }
});

test('a retry skipped because its own failure opened the circuit counts as the failover it became', async () => {
  const providers = [entry('anthropic', 'anthropic'), entry('openai', 'openai')];
  const retried = route([target('anthropic', 'claude-haiku-4-5', 1), target('openai', 'gpt-4o-mini', 0)], { retry: { attempts: 1, backoffMs: 10, maxRetryAfterMs: 5000 } });
  const h = harness({ manifest: manifest([retried], providers), health: { threshold: 1 }, script: { anthropic: { kind: 'json', status: 503 }, openai: { kind: 'json' } } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'retryable_5xx', 'retry'],
    ['anthropic', 'circuit_open', 'skipped'],
    ['openai', null, 'success'],
  ], 'the engine labels the failure a retry before it knows the retry will be skipped');
  assert.deepEqual(counted(result.attempts), ['failover', 'skipped', 'success']);
  assert.equal(failedOver(result.attempts), true);
});
