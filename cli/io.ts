/**
 * Everything a command touches outside itself arrives through `Io` (style §A.1, §F): tests run
 * `main(argv, io)` in-process with an in-memory Io; only `bin.ts` builds the real one from `process`.
 */

export const ExitCode = { Ok: 0, Findings: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface OutputStream {
  write(text: string): void;
}

export interface Io {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /**
   * Reads standard input (for `-` arguments) up to `maxBytes + 1` bytes and stops there, so an
   * endless pipe costs a bounded amount; the caller refuses anything longer than `maxBytes`.
   */
  readStdin(maxBytes: number): Promise<Buffer>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stdout is a terminal (ink views, confirmation prompts). */
  readonly isTTY: boolean;
  /** Colour on stdout: decided once per run from its TTY, NO_COLOR and FORCE_COLOR. */
  readonly color: boolean;
  /**
   * The same decision for stderr, from stderr's own TTY: diagnostics written there must not carry
   * escape codes into `2>errors.log` because stdout happens to be a terminal.
   */
  readonly stderrColor: boolean;
  /**
   * Aborted on the first SIGTERM/SIGINT, for the long-running commands (serve, mock) only: they drain
   * and resolve. Every other command is simply ended by the signal, so this never aborts for them.
   */
  readonly shutdown: AbortSignal;
  /** Asks a yes/no question on the terminal (apply); absent when stdin is not a TTY. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** Colour policy: NO_COLOR wins, FORCE_COLOR forces, otherwise only on a TTY. */
export function decideColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY;
}
