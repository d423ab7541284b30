import type { Io } from '../io.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

// TODO(issue-placeholder): replaced by the command's implementation.
export async function run(_args: readonly string[], _options: Readonly<Record<string, unknown>>, _io: Io): Promise<ExitCode> {
  throw new UsageError('aigw validate is not implemented yet');
  return ExitCode.Ok;
}
