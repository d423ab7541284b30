/**
 * The root live view of `aigw simulate`: progress, success so far, virtual time, the per-provider
 * table and the latency sparkline. `SimulateLiveView` renders a snapshot (props only); `SimulateLive`
 * connects it to the driver's events through the hook.
 */
import { Box, Text } from 'ink';
import { formatDuration } from '../format/simulation-text.js';
import type { LiveSnapshot } from './live-state.js';
import { ProgressBar } from './progress-bar.js';
import { ProviderTable } from './provider-table.js';
import { Sparkline } from './sparkline.js';
import { useSimulationState, type SimulationEvents } from './use-simulation-state.js';

export function SimulateLiveView({ state }: { readonly state: LiveSnapshot }) {
  const success = state.done === 0 ? 0 : state.successes / state.done;
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text>
        <Text bold>{state.finished ? 'simulated ' : 'simulating '}</Text>
        <ProgressBar done={state.done} total={state.total} />
      </Text>
      <Text dimColor>{`virtual time ${formatDuration(state.simulatedMs)} · success ${(success * 100).toFixed(2)}% · errors ${state.errors}`}</Text>
      <ProviderTable rows={state.providers} />
      <Sparkline values={state.trend} />
    </Box>
  );
}

export function SimulateLive({ events, total }: { readonly events: SimulationEvents; readonly total: number }) {
  const state = useSimulationState(events, total);
  return <SimulateLiveView state={state} />;
}
