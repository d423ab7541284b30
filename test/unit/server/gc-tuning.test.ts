/**
 * `aigw serve` turns off V8's allocation-site pretenuring before anything else (runtime/server/
 * gc-tuning.ts: with 1 000 held streams it tenured per-chunk sites and the old generation grew
 * ≈ 8 MB/s). V8 reports its pretenuring decisions with --trace-pretenuring-statistics; tracing is
 * switched on only for the workload, so each process reports on that alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';

const serveUrl = pathToFileURL(fileURLToPath(new URL('../../../cli/commands/serve.ts', import.meta.url))).href;

// Objects of one literal site that all outlive several scavenges: V8 judges such a site for tenuring.
const WORKLOAD = `
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--trace-pretenuring-statistics');
  const kept = [];
  const make = (index) => ({ index, text: 'x' });
  for (let index = 0; index < 2_000_000; index += 1) kept.push(make(index));
  if (kept.length !== 2_000_000) throw new Error('workload');`;

function pretenuringReports(script: string): number {
  // No inherited NODE_OPTIONS: a large young generation there could spare the workload its scavenges.
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter((line) => line.includes('pretenuring:')).length;
}

test('without the serve command\'s setting, the workload gets pretenuring decisions (the premise)', () => {
  assert.ok(pretenuringReports(WORKLOAD) > 0);
});

test('aigw serve turns allocation-site pretenuring off first, even when its settings are refused', () => {
  const script = `
    const { run } = await import(${JSON.stringify(serveUrl)});
    const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: process.cwd(), isTTY: false, color: false,
      shutdown: AbortSignal.abort(), readStdin: async () => Buffer.alloc(0) };
    await run(['/nonexistent/routes.yaml'], { port: 'not-a-port' }, io).catch(() => undefined);
    ${WORKLOAD}`;
  assert.equal(pretenuringReports(script), 0);
});
