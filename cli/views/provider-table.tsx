/** Per provider/model: requests answered, share, attempts, failovers and circuit state. Props only. */
import { Box, Text } from 'ink';
import type { CircuitState, ProviderRow } from './live-state.js';

export interface ProviderTableProps {
  readonly rows: readonly Readonly<ProviderRow>[];
}

const CIRCUIT_COLOURS: Readonly<Record<CircuitState, string>> = { closed: 'green', open: 'red', 'half-open': 'yellow' };

export function ProviderTable({ rows }: ProviderTableProps) {
  const answered = rows.reduce((sum, row) => sum + row.answered, 0);
  const width = Math.max(16, ...rows.map((row) => row.name.length)) + 2;
  return (
    <Box flexDirection="column">
      <Text dimColor>{`${'provider/model'.padEnd(width)}${'share'.padStart(7)}${'answered'.padStart(10)}${'attempts'.padStart(10)}${'failovers'.padStart(11)}  circuit`}</Text>
      {rows.map((row) => (
        <Text key={row.name}>
          {row.name.padEnd(width)}
          {`${answered === 0 ? '0.0' : ((row.answered / answered) * 100).toFixed(1)}%`.padStart(7)}
          {String(row.answered).padStart(10)}
          {String(row.attempts).padStart(10)}
          {String(row.failovers).padStart(11)}
          {'  '}
          <Text color={CIRCUIT_COLOURS[row.circuit]}>{row.circuit}</Text>
        </Text>
      ))}
    </Box>
  );
}
