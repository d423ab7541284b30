import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUCKET_SIZE, createLiveState, reduceLiveState, snapshot } from '../../../cli/views/live-state.js';
import type { EngineResult } from '../../../runtime/routing/types.js';

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
