/**
 * cli/bin.ts as a real process (run from source through tsx, so no build is needed): one SIGINT ends
 * a non-server command (review finding 8), and an endless stdin is cut at the manifest limit
 * (finding 3) — `yes 'a: b' | aigw validate -` used to eat memory until the OOM killer came.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The test fails, instead of hanging, when the process outlives this. */
const DEADLINE_MS = 10_000;

function aigw(t: TestContext, args: readonly string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'hung'>; stdout: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/bin.ts'), ...args], {
    cwd: root, env: { ...process.env, NO_COLOR: '1', AIGW_DEBUG: undefined }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stdin?.on('error', () => undefined); // EPIPE once the process stops reading: expected
  let deadline: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'hung'>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    deadline = setTimeout(() => resolve('hung'), DEADLINE_MS);
  }).finally(() => clearTimeout(deadline));
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  return { child, exited, stdout: () => stdout };
}

/** Resolves once the process has taken `bytes` from its stdin (the pipe holds only 64 KiB). */
function feed(child: ChildProcess, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => child.stdin?.write(Buffer.from('a: b\n'.repeat(bytes / 5)), (error) => (error ? reject(error) : resolve())));
}

test('one SIGINT ends aigw validate - while it waits on stdin', async (t) => {
  const run = aigw(t, ['validate', '-']);
  // 256 KiB taken from the pipe: the process is in main(), reading stdin, and the stream stays open.
  await feed(run.child, 256 * 1024);
  run.child.kill('SIGINT');
  const result = await run.exited;
  assert.notEqual(result, 'hung', 'aigw validate - ignored the first SIGINT');
  assert.deepEqual(result, { code: null, signal: 'SIGINT' });
});

test('an endless stdin is cut at 1 MiB: aigw validate - reports yaml/too-large and exits 1', async (t) => {
  const run = aigw(t, ['validate', '--format', 'json', '-']);
  const chunk = Buffer.from('a: b\n'.repeat(13_000));
  let written = 0;
  const pump = (): void => {
    // Like `yes`: write until the reader goes away; stop at 64 MiB so a broken bound cannot exhaust memory.
    while (run.child.stdin?.writable === true && written < 64 * 1024 * 1024) {
      written += chunk.length;
      if (run.child.stdin.write(chunk) === false) {
        run.child.stdin.once('drain', pump);
        return;
      }
    }
  };
  pump();
  const result = await run.exited;
  assert.notEqual(result, 'hung', 'aigw validate - kept reading an endless stdin');
  assert.deepEqual(result, { code: 1, signal: null });
  assert.equal((JSON.parse(run.stdout()) as { diagnostics: { ruleId: string }[] }).diagnostics[0]?.ruleId, 'yaml/too-large');
  assert.ok(written < 64 * 1024 * 1024, `the writer fed ${written} bytes before the process stopped reading`);
});

test('a reader that goes away (aigw … | head) does not change the exit code: EPIPE is not an error of the command', async (t) => {
  const run = aigw(t, ['validate', 'no/such/manifest.yaml', '--format', 'json']);
  // Both readers gone before the process writes a byte.
  run.child.stdout?.destroy();
  run.child.stderr?.destroy();
  const exited = await run.exited;
  assert.notEqual(exited, 'hung');
  assert.deepEqual(exited, { code: 2, signal: null }, 'the usage error\'s own exit code');
});
