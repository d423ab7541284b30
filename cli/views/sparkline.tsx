/** A one-line sparkline of the latency trend (p95 per bucket of requests). Props only. */
import { Text } from 'ink';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low;
  return values.map((value) => BARS[span === 0 ? 0 : Math.min(BARS.length - 1, Math.floor(((value - low) / span) * BARS.length))]).join('');
}

export interface SparklineProps {
  readonly values: readonly number[];
  readonly label?: string;
}

export function Sparkline({ values, label = 'p95 latency' }: SparklineProps) {
  const last = values.at(-1);
  return (
    <Text>
      <Text dimColor>{`${label} `}</Text>
      <Text color="cyan">{sparkline(values)}</Text>
      {last === undefined ? '' : ` ${Math.round(last)} ms`}
    </Text>
  );
}
