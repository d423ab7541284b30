/**
 * The real Io, built from a Node process by `bin.ts` (and from fake streams by tests): bounded stdin,
 * the terminal confirmation prompt, and which commands take over SIGINT/SIGTERM.
 */
import { createInterface } from 'node:readline/promises';
import { readBoundedStream } from '../runtime/manifest/read-source.js';
import { decideColor, type Io } from './io.js';

/** The commands that run until stopped and drain on the first signal (style §C lifecycle). */
export const SERVER_COMMANDS: ReadonlySet<string> = new Set(['serve', 'mock']);

/** What `installShutdownHandlers` needs of `process`. */
export interface SignalTarget {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/**
 * Only the servers take over SIGINT/SIGTERM: the first signal starts their graceful drain (the
 * returned signal aborts), a second one exits at once with 130. Every other command keeps Node's
 * default, so one Ctrl-C stops it wherever it is (reading stdin, simulating, waiting for a gateway).
 */
export function installShutdownHandlers(
  argv: readonly string[], target: SignalTarget, exit: (code: number) => void, now: () => number = () => performance.now(),
): AbortSignal {
  const shutdown = new AbortController();
  const command = argv.find((argument) => !argument.startsWith('-'));
  if (command === undefined || !SERVER_COMMANDS.has(command)) return shutdown.signal;
  let firstAt = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    target.on(signal, () => {
      if (!shutdown.signal.aborted) {
        firstAt = now();
        shutdown.abort(signal);
        return;
      }
      // Ctrl-C under `npm start` delivers SIGINT twice within a millisecond (the terminal signals the
      // process group, and npm forwards its copy): that is one request to stop, not an insistence.
      if (now() - firstAt < DUPLICATE_SIGNAL_MS) return;
      // A second signal means "now": the drain is skipped.
      exit(130);
    });
  }
  return shutdown.signal;
}

/** Signals this close to the first are the same request delivered twice. */
export const DUPLICATE_SIGNAL_MS = 500;

/** A readable that may be a terminal (process.stdin). */
export type InputStream = NodeJS.ReadableStream & AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
/** A writable that may be a terminal (process.stdout). */
export type OutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

export interface NodeStreams {
  readonly stdin: InputStream;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/**
 * A reader that went away (`aigw … | head`) is not the command's failure: its EPIPE, and the writes
 * after it, are dropped so the exit code stays the command's own (an unhandled EPIPE exits 1, which a
 * CI gate would read as findings). Any other output error still surfaces.
 */
export function ignoreClosedReader(stream: OutputStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

export function createNodeIo(streams: NodeStreams, shutdown: AbortSignal): Io {
  const isTTY = streams.stdout.isTTY === true;
  ignoreClosedReader(streams.stdout);
  ignoreClosedReader(streams.stderr);
  return {
    stdout: { write: (text) => void streams.stdout.write(text) },
    stderr: { write: (text) => void streams.stderr.write(text) },
    // Stops after maxBytes + 1 bytes: `yes | aigw validate -` costs that much memory, then is refused.
    readStdin: async (maxBytes) => Buffer.from(await readBoundedStream(streams.stdin, maxBytes)),
    env: streams.env,
    cwd: streams.cwd,
    isTTY,
    color: decideColor(streams.env, isTTY),
    stderrColor: decideColor(streams.env, streams.stderr.isTTY === true),
    shutdown,
    ...(streams.stdin.isTTY === true && isTTY ? { confirm: createConfirm(streams.stdin, streams.stdout) } : {}),
  };
}

/**
 * A yes/no question on the terminal. Only y or yes is a yes. Ctrl-D (end of input) and Ctrl-C, which
 * readline turns into an AbortError, or a stdin that closes, leave the question unanswered: that is
 * declining (apply exits 1, "not applied"), not an error.
 */
export function createConfirm(input: InputStream, output: OutputStream): (question: string) => Promise<boolean> {
  return async (question) => {
    const prompt = createInterface({ input, output });
    const closed = new Promise<undefined>((resolve) => prompt.once('close', () => resolve(undefined)));
    try {
      const answer = await Promise.race([prompt.question(`${question} [y/N] `), closed]);
      if (answer === undefined) {
        output.write('\n');
        return false;
      }
      return /^y(es)?$/i.test(answer.trim());
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError')) throw error;
      output.write('\n');
      return false;
    } finally {
      prompt.close();
    }
  };
}
