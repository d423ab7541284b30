/** @jsxRuntime automatic @jsxImportSource react */
/** The hook against a plain EventEmitter: subscribes, folds events, publishes snapshots, unsubscribes. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import type { SimulationEvent } from '../../../cli/simulate/driver.js';
import { SIMULATION_EVENT, useSimulationState, type SimulationEvents } from '../../../cli/views/use-simulation-state.js';
import type { EngineResult } from '../../../runtime/routing/types.js';

function Probe({ events }: { readonly events: SimulationEvents }) {
  const state = useSimulationState(events, 10, 5);
  const rows = state.providers.map((row) => `${row.name}=${row.answered}/${row.attempts}/${row.circuit}`).join(' ');
  return <Text>{`${state.done}/${state.total} t=${state.simulatedMs} ok=${state.successes} err=${state.errors} finished=${String(state.finished)} ${rows}`}</Text>;
}

const success = (provider: string): EngineResult => ({
  requestId: undefined, route: 'chat', stream: false, outcome: 'success', status: 200, malformed: 0, durationMs: 400, provider, model: 'm',
  attempts: [{ provider, providerType: 'openai', model: 'm', status: 200, reason: null, outcome: 'success', startMs: 0, durationMs: 400, dropped: [] }],
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('events are folded into state and published; unmounting unsubscribes', async (t) => {
  const events = new EventEmitter();
  const view = render(<Probe events={events} />);
  let unmounted = false;
  t.after(() => { if (!unmounted) view.unmount(); });
  assert.equal(events.listenerCount(SIMULATION_EVENT), 1, 'subscribed in a layout effect');
  const emit = (event: SimulationEvent) => events.emit(SIMULATION_EVENT, event);
  emit({ type: 'run-start', total: 3, seed: 1 });
  emit({ type: 'request-arrival', index: 0, at: 5 });
  emit({ type: 'attempt-end', requestId: '0', route: 'chat', record: success('openai').attempts[0]! });
  emit({ type: 'request-end', requestId: '0', result: success('openai') });
  emit({ type: 'request-unmatched', model: 'x', at: 10 });
  emit({ type: 'circuit-open', provider: 'openai', model: 'm', at: 20, openMs: 10_000 });
  // ink draws at most ~30 times a second: wait for the frame rather than for a fixed time.
  const expected = '2/3 t=20 ok=1 err=1 finished=false openai/m=1/1/open';
  for (let waited = 0; waited < 2000 && view.lastFrame() !== expected; waited += 10) await pause(10);
  assert.equal(view.lastFrame(), expected);
  view.unmount();
  unmounted = true;
  assert.equal(events.listenerCount(SIMULATION_EVENT), 0, 'unsubscribed on unmount');
});
