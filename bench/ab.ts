/**
 * A/B of gateway builds in one run: the same fake upstream, the same load, builds measured in
 * alternating turns (A B B A …) so that load from other processes on a shared machine hits both.
 * Prints each build's median req/s at N connections and its own CPU µs per request, and B ÷ A.
 * Used to keep or drop each hot-path change (README "What the profile found").
 *
 *   npm run build && cp -r dist .cache/ab/base      # the "before" build
 *   (change, npm run build)
 *   node --import tsx bench/ab.ts --bin .cache/ab/base/cli/bin.js --bin dist/cli/bin.js [--row aigw-openai] [--rounds 6] [--seconds 3] [--floor] [--floor-buffered] [--floor-audit]
 *   (a --bin may start with Node options: --bin="--max-semi-space-size=32 dist/cli/bin.js")
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { throughput, type RequestShape } from './load.js';
import { BENCH_DIR, ROOT, planPinning, startServer, type ServerProcess } from './processes.js';
import { GATEWAY_ROWS } from './profile.js';
import { aigwManifest, CLIENT_KEY, openAIBody, UPSTREAM_KEY } from './scenarios.js';


function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? Number.NaN : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

interface Contender { readonly label: string; readonly server: ServerProcess; readonly shape: RequestShape; readonly rps: number[]; readonly cpu: number[] }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    bin: { type: 'string', multiple: true, default: [] },
    row: { type: 'string', default: 'aigw-openai' },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    floor: { type: 'boolean', default: false },
    // The floor reading a unary answer whole instead of piping it (bench/floor-proxy.ts): a reference.
    'floor-buffered': { type: 'boolean', default: false },
    // The floor writing one JSONL audit line per request, as design §5 asks of aigw: a reference.
    'floor-audit': { type: 'boolean', default: false },
  } });
  const row = GATEWAY_ROWS[values.row ?? 'aigw-openai'];
  if (row === undefined) throw new Error(`--row must be one of ${Object.keys(GATEWAY_ROWS).join(', ')}`);
  const bins = values.bin ?? [];
  if (bins.length === 0 && values.floor !== true && values['floor-buffered'] !== true && values['floor-audit'] !== true) throw new Error('give at least one --bin (and/or --floor, --floor-buffered, --floor-audit)');
  const pinning = planPinning(true);
  const work = mkdtempSync(join(tmpdir(), 'aigw-ab-'));
  const upstream = await startServer({ name: 'upstream', node: { args: [join(BENCH_DIR, 'fake-upstream.ts')], tsx: true }, cwd: ROOT, cpu: pinning.upstreamCpu, logFile: join(work, 'upstream.log') });
  const contenders: Contender[] = [];
  const headers: Record<string, string> = row.secure === true ? { authorization: `Bearer ${CLIENT_KEY}` } : {};
  try {
    for (const [index, bin] of bins.entries()) {
      const folder = join(work, `build-${index}`);
      const manifest = `${folder}.yaml`;
      writeFileSync(manifest, aigwManifest(upstream.url, { secure: row.secure === true, auditFile: `${folder}-audit.jsonl` }));
      const server = await startServer({
        name: `build-${index}`,
        // `--bin="--max-semi-space-size=32 dist/cli/bin.js"`: Node options before the script.
        node: { args: [...bin.split(/\s+/).slice(0, -1), resolve(bin.split(/\s+/).at(-1) ?? bin), 'serve', manifest, '--port', '0', '--audit-file', `${folder}-audit.jsonl`] },
        cwd: work, env: { BENCH_UPSTREAM_KEY: UPSTREAM_KEY }, cpu: pinning.serverCpu, logFile: `${folder}.log`,
      });
      contenders.push({ label: bin, server, shape: { url: server.url, path: '/v1/chat/completions', headers, body: openAIBody(row.model, row.stream), stream: row.stream }, rps: [], cpu: [] });
    }
    const floors: Array<{ label: string; flags: string[] }> = [];
    if (values.floor === true) floors.push({ label: 'floor', flags: [] });
    if (values['floor-buffered'] === true) floors.push({ label: 'floor-buffered', flags: ['--buffered'] });
    if (values['floor-audit'] === true) floors.push({ label: 'floor-audit', flags: ['--audit-file', join(work, 'floor-audit.jsonl')] });
    for (const { label, flags } of floors) {
      const server = await startServer({ name: label, node: { args: [join(BENCH_DIR, 'floor-proxy.ts'), '--upstream', upstream.url, ...flags], tsx: true }, cwd: ROOT, cpu: pinning.serverCpu, logFile: join(work, `${label}.log`) });
      contenders.push({ label, server, shape: { url: server.url, path: '/v1/chat/completions', headers: {}, body: openAIBody('bench-model', row.stream), stream: row.stream }, rps: [], cpu: [] });
    }
    const connections = Number(values.connections);
    // Long enough for the JIT to settle: the first measured round otherwise reads high.
    for (const contender of contenders) await throughput(contender.shape, { connections, seconds: 5 });
    for (let round = 0; round < Number(values.rounds); round += 1) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) {
        const before = await contender.server.usage();
        const load = await throughput(contender.shape, { connections, seconds: Number(values.seconds) });
        const after = await contender.server.usage();
        if (load.failures > 0) process.stdout.write(`  ${contender.label}: ${load.failures} failures\n`);
        contender.rps.push(load.requestsPerSecond);
        contender.cpu.push((after.cpuMicros - before.cpuMicros) / load.requests);
      }
    }
    process.stdout.write(`${values.row}, ${values.rounds} rounds of ${values.seconds} s at ${connections} connections (${pinning.note})\n`);
    const first = contenders[0];
    for (const contender of contenders) {
      const rps = median(contender.rps);
      const cpu = median(contender.cpu);
      const least = Math.min(...contender.cpu);
      const ratio = first === undefined || contender === first ? ''
        : `  ÷ first: req/s ${(rps / median(first.rps)).toFixed(3)}×, CPU ${(cpu / median(first.cpu)).toFixed(3)}× (least ${(least / Math.min(...first.cpu)).toFixed(3)}×)`;
      process.stdout.write(`  ${contender.label.padEnd(36)} ${rps.toFixed(0).padStart(6)} req/s  ${cpu.toFixed(1).padStart(6)} µs CPU/req (least ${least.toFixed(1)})${ratio}\n`);
      process.stdout.write(`    rounds: ${contender.cpu.map((value) => value.toFixed(0)).join(' ')} µs\n`);
    }
  } finally {
    for (const contender of contenders) await contender.server.stop();
    await upstream.stop();
    // The audit files of a run reach a gigabyte or more.
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
