/** A progress bar: `████████░░░░  62%  6 200/10 000`. Props only. */
import { Text } from 'ink';

export interface ProgressBarProps {
  readonly done: number;
  readonly total: number;
  readonly width?: number;
}

export function ProgressBar({ done, total, width = 30 }: ProgressBarProps) {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(width - filled)}</Text>
      {` ${String(Math.floor(ratio * 100)).padStart(3)}%  ${done}/${total}`}
    </Text>
  );
}
