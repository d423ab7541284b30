/**
 * Runs the built binary (`node dist/cli/bin.js serve …`) as a child process on 127.0.0.1:0 and reads
 * its URL from the startup banner, for tests that need a real process: signals, exit codes, several
 * replicas. Builds dist/ first when it is missing (`npm test` builds it in pretest).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onClose, type Closer } from './gateway-harness.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'dist/cli/bin.js');

export function ensureBuilt(): void {
  if (existsSync(BIN)) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  assert.ok(existsSync(BIN), 'dist/cli/bin.js could not be built');
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT` from the banner. */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

const LISTENING = /aigw gateway listening on (http:\/\/\S+)/;

/** Spawns `aigw serve ARGS` and waits for its banner (or its early exit, reported with its output). */
export async function spawnServe(t: Closer, args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<ServeProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', AIGW_DEBUG: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  onClose(t, async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aigw serve did not start in 20 s\nstderr: ${stderr}\nstdout: ${stdout}`)), 20_000);
    const check = (): void => {
      const match = LISTENING.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stderr?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`aigw serve exited (${String(code ?? signal)}) before listening\nstderr: ${stderr}\nstdout: ${stdout}`));
    });
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}
