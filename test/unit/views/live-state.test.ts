import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUCKET_SIZE, createLiveState, reduceLiveState, snapshot } from '../../../cli/views/live-state.js';
import type { AttemptRecord, EngineResult } from '../../../runtime/routing/types.js';

const result = (durationMs: number): EngineResult => ({
  requestId: undefined, route: 'chat', stream: false, outcome: 'success', status: 200, malformed: 0, durationMs, attempts: [],
});

test('the sparkline trend gets the p95 of each bucket of finished requests; run-end closes the last one', () => {
  const state = createLiveState(500);
  for (let index = 1; index <= BUCKET_SIZE; index += 1) reduceLiveState(state, { type: 'request-end', requestId: undefined, result: result(index) });
  assert.deepEqual(state.trend, [190]);
  reduceLiveState(state, { type: 'request-end', requestId: undefined, result: result(1000) });
  reduceLiveState(state, { type: 'run-end', summary: { simulatedMs: 5000 } as never });
  const view = snapshot(state);
  assert.deepEqual(view.trend, [190, 1000]);
  assert.equal(view.finished, true);
  assert.equal(view.done, 500);
  assert.equal(view.simulatedMs, 5000);
});

test('failovers in the live view count as the report counts them once the run is over (counted-outcome.ts)', () => {
  const state = createLiveState(1);
  const attempt = (provider: string, outcome: AttemptRecord['outcome']): AttemptRecord => ({
    provider, providerType: 'openai', model: 'm', outcome, startMs: 0, durationMs: 1, dropped: [],
    status: outcome === 'success' ? 200 : 0, reason: outcome === 'success' ? null : outcome === 'skipped' ? 'circuit_open' : 'retryable_5xx',
  });
  // The retry of `a` was skipped (its circuit opened), then `b` answered: `a` failed over; `c` failed last (returned).
  const attempts = [attempt('a', 'retry'), attempt('a', 'skipped'), attempt('b', 'failover'), attempt('c', 'failover')];
  for (const record of attempts) reduceLiveState(state, { type: 'attempt-end', requestId: undefined, route: 'chat', record });
  reduceLiveState(state, { type: 'request-end', requestId: undefined, result: { ...result(5), outcome: 'error', status: 502, attempts } });
  assert.deepEqual([...state.providers.values()].map((row) => [row.name, row.failovers]), [['a/m', 1], ['b/m', 1], ['c/m', 0]]);
});
