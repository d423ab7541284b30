/**
 * CLI startup benchmark: wall time of `aigw validate <seed>` on the built dist/, as a ratio to
 * `node -e 0` measured in the same run (interleaved, median of several runs), so the figure holds
 * across machines. Aim: under 3×. Run: `npm run build && node --import tsx bench/cli-startup.ts`.
 * The benchmark runner (bench/run.ts) calls measureCliStartup().
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CliStartupResult {
  /** Median wall time of `node dist/cli/bin.js validate <manifest>`, in milliseconds. */
  readonly validateMs: number;
  /** Median wall time of `node -e 0`, in milliseconds. */
  readonly baselineMs: number;
  /** validateMs / baselineMs. */
  readonly ratio: number;
  readonly runs: number;
  readonly manifest: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const SEED = 'test/manifests/good/001-seed.yaml';

export function measureCliStartup(options: { runs?: number; manifest?: string } = {}): CliStartupResult {
  const runs = options.runs ?? 15;
  const manifest = options.manifest ?? SEED;
  const bin = `${root}dist/cli/bin.js`;
  if (!existsSync(bin)) throw new Error('dist/cli/bin.js is missing: run npm run build first');
  const time = (args: string[], expectedStatus: number): number => {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== expectedStatus) throw new Error(`${args.join(' ')} exited ${String(result.status)}`);
    return elapsed;
  };
  const validateArgs = [bin, 'validate', manifest];
  const baselineArgs = ['-e', '0'];
  // One warm-up each (file-system cache), then interleaved so load changes hit both alike.
  time(validateArgs, 0);
  time(baselineArgs, 0);
  const validate: number[] = [];
  const baseline: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    validate.push(time(validateArgs, 0));
    baseline.push(time(baselineArgs, 0));
  }
  const validateMs = median(validate);
  const baselineMs = median(baseline);
  return { validateMs, baselineMs, ratio: validateMs / baselineMs, runs, manifest };
}

export function formatCliStartup(result: CliStartupResult): string {
  return `cli-startup: aigw validate ${result.manifest} ${result.validateMs.toFixed(1)} ms, node -e 0 ${result.baselineMs.toFixed(1)} ms`
    + ` → ${result.ratio.toFixed(2)}× (median of ${result.runs}; aim < 3×)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${formatCliStartup(measureCliStartup())}\n`);
}
