/** An in-memory Io for running `main(argv, io)` in-process: captures output, fakes TTY and env. */
import type { Io } from '../../cli/io.js';

export interface TestIo extends Io {
  readonly out: () => string;
  readonly err: () => string;
}

export function createTestIo(options: {
  env?: Record<string, string | undefined>;
  stdin?: string | Buffer;
  isTTY?: boolean;
  color?: boolean;
  stderrColor?: boolean;
  cwd?: string;
  shutdown?: AbortSignal;
  confirm?: (question: string) => Promise<boolean>;
} = {}): TestIo {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text) => { stdout += text; } },
    stderr: { write: (text) => { stderr += text; } },
    readStdin: async () => (typeof options.stdin === 'string' ? Buffer.from(options.stdin) : options.stdin ?? Buffer.alloc(0)),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    isTTY: options.isTTY ?? false,
    color: options.color ?? false,
    stderrColor: options.stderrColor ?? false,
    shutdown: options.shutdown ?? new AbortController().signal,
    ...(options.confirm === undefined ? {} : { confirm: options.confirm }),
    out: () => stdout,
    err: () => stderr,
  };
}
