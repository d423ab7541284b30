/**
 * Simulation speed (issue 5 item 7): 100 000 requests through the real engine, adapters and fixture
 * transport on the virtual clock, timed on the wall clock. `benchSimulate()` is what the benchmark
 * runner calls; `node --import tsx bench/simulate.ts [requests]` runs it alone.
 * Target: under 5 s for 100 000 requests on the project machine.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getAdapter } from '../runtime/adapters/registry.js';
import { loadManifest } from '../runtime/manifest/load-manifest.js';
import { loadFixtureIndex } from '../runtime/mock/fixture-index.js';
import { runSimulation } from '../cli/simulate/driver.js';
import { loadScenario } from '../cli/simulate/scenario.js';

/** The seed manifest of design §2, verbatim (the copy the manifest tests validate). */
const SEED_MANIFEST = readFileSync(new URL('../test/manifests/good/001-seed.yaml', import.meta.url), 'utf8');

/** A busy hour: a third of the requests stream, some tool calls, a flaky and a slow provider. */
const SCENARIO = `seed: 7
arrival: { rate_per_second: 30 }
stream_fraction: 0.3
prompts: { chat: 3, tool-call: 1 }
faults:
  - provider: anthropic
    errors: [ { status: 529, rate: 0.02 } ]
    latency: { distribution: lognormal, p50_ms: 120, p95_ms: 600 }
  - provider: openai
    errors: [ { status: 429, rate: 0.01 } ]
    resets: 0.005
`;

export interface SimulateBenchResult {
  readonly name: 'simulate';
  readonly requests: number;
  readonly elapsedMs: number;
  /** Process CPU time (user + system) over the run: steadier than wall time on a shared machine. */
  readonly cpuMs: number;
  readonly requestsPerSecond: number;
  readonly simulatedMs: number;
  readonly successRate: number;
}

export async function benchSimulate(options: { requests?: number } = {}): Promise<SimulateBenchResult> {
  const requests = options.requests ?? 100_000;
  const loaded = loadManifest({ text: SEED_MANIFEST, file: 'seed.yaml' }, { env: {}, allowMissingEnv: true });
  if (loaded.manifest === undefined) throw new Error(`seed manifest invalid: ${JSON.stringify(loaded.diagnostics)}`);
  const scenario = loadScenario({ text: SCENARIO, file: 'bench-scenario.yaml' }).scenario;
  if (scenario === undefined) throw new Error('bench scenario invalid');
  const fixtures = loadFixtureIndex();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await runSimulation({ manifest: loaded.manifest, scenario: { ...scenario, requests }, fixtures, getAdapter });
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name: 'simulate',
    requests,
    elapsedMs: Math.round(elapsedMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    requestsPerSecond: Math.round(requests / (elapsedMs / 1000)),
    simulatedMs: summary.simulatedMs,
    successRate: summary.successRate,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const requests = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const result = await benchSimulate(requests === undefined ? {} : { requests });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
