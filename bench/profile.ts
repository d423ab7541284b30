/**
 * Where the gateway's CPU goes: runs `aigw serve` under `node --cpu-prof` against the fake upstream,
 * drives one row's load through it, stops it cleanly (the profile is written on exit) and prints the
 * functions and files with the most self time. The .cpuprofile file is kept (open it in Chrome
 * DevTools or speedscope for the call tree).
 *
 *   npm run build && node --import tsx bench/profile.ts [--row floor|aigw-openai|aigw-secure|aigw-anthropic|aigw-openai-stream|aigw-anthropic-stream]
 *     [--seconds 5] [--connections 50] [--bin path/to/cli/bin.js (another build, for A/B)]
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { throughput } from './load.js';
import { BENCH_DIR, ROOT, planPinning, startServer } from './processes.js';
import { aigwManifest, CLIENT_KEY, openAIBody, UPSTREAM_KEY } from './scenarios.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The gateway rows a profile (or an A/B of builds, bench/ab.ts) can drive. */
export const GATEWAY_ROWS: Record<string, { model: string; stream: boolean; secure?: boolean }> = {
  'aigw-openai': { model: 'bench-openai', stream: false },
  'aigw-secure': { model: 'bench-openai', stream: false, secure: true },
  'aigw-anthropic': { model: 'bench-anthropic', stream: false },
  'aigw-openai-stream': { model: 'bench-openai', stream: true },
  'aigw-anthropic-stream': { model: 'bench-anthropic', stream: true },
};

/** Self time per function and per file, in ms, from the sample timeline. */
export function selfTimes(profile: CpuProfile): { functions: Map<string, number>; files: Map<string, number>; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (node === undefined) return;
    totalMs += ms;
    const url = node.callFrame.url.replace(/^file:\/\//, '');
    const file = url === '' ? `(${node.callFrame.functionName || 'native'})` : url.startsWith(ROOT) ? relative(ROOT, url) : url;
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const group = file.includes('node_modules/') ? file.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, 'node_modules/$1') : file;
    files.set(group, (files.get(group) ?? 0) + ms);
  });
  return { functions, files, totalMs };
}

function top(map: ReadonlyMap<string, number>, count: number, totalMs: number): string[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([name, ms]) => `${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { row: { type: 'string', default: 'aigw-openai' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' }, bin: { type: 'string', default: join(ROOT, 'dist', 'cli', 'bin.js') } } });
  // `floor` profiles the lean pass-through (bench/floor-proxy.ts) under the same load, for comparison.
  const isFloor = values.row === 'floor';
  const row = isFloor ? GATEWAY_ROWS['aigw-openai'] : GATEWAY_ROWS[values.row ?? 'aigw-openai'];
  if (row === undefined) throw new Error(`--row must be one of floor, ${Object.keys(GATEWAY_ROWS).join(', ')}`);
  const pinning = planPinning(true);
  const work = mkdtempSync(join(tmpdir(), 'aigw-profile-'));
  const upstream = await startServer({ name: 'upstream', node: { args: [join(BENCH_DIR, 'fake-upstream.ts')], tsx: true }, cwd: ROOT, cpu: pinning.upstreamCpu, logFile: join(work, 'upstream.log') });
  const manifest = join(work, 'aigw.yaml');
  writeFileSync(manifest, aigwManifest(upstream.url, { secure: row.secure === true, auditFile: join(work, 'audit.jsonl') }));
  // Both servers stop whatever happens (a failed start or load would leave them running).
  let gateway: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    gateway = await startServer(isFloor ? {
      name: 'floor', node: { args: ['--cpu-prof', '--cpu-prof-dir', work, join(BENCH_DIR, 'floor-proxy.ts'), '--upstream', upstream.url], tsx: true },
      cwd: ROOT, cpu: pinning.serverCpu, logFile: join(work, 'floor.log'),
    } : {
      name: 'aigw',
      node: { args: ['--cpu-prof', '--cpu-prof-dir', work, resolve(values.bin ?? join(ROOT, 'dist', 'cli', 'bin.js')), 'serve', manifest, '--port', '0', '--audit-file', join(work, 'audit.jsonl')] },
      cwd: work, env: { BENCH_UPSTREAM_KEY: UPSTREAM_KEY }, cpu: pinning.serverCpu, logFile: join(work, 'aigw.log'),
    });
    const headers: Record<string, string> = row.secure === true ? { authorization: `Bearer ${CLIENT_KEY}` } : {};
    const shape = { url: gateway.url, path: '/v1/chat/completions', headers, body: openAIBody(row.model, row.stream), stream: row.stream };
    await throughput(shape, { connections: Number(values.connections), seconds: 1 });
    const before = await gateway.usage();
    const load = await throughput(shape, { connections: Number(values.connections), seconds: Number(values.seconds) });
    const after = await gateway.usage();
    process.stdout.write(`${values.row}: ${load.requestsPerSecond.toFixed(0)} req/s, ${((after.cpuMicros - before.cpuMicros) / load.requests).toFixed(0)} µs CPU per request (profiler on)\n`);
    await gateway.stopGracefully(30_000);
  } finally {
    await gateway?.stop();
    await upstream.stop();
  }
  const file = readdirSync(work).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written\n${gateway?.logTail() ?? ''}`);
  const profile = JSON.parse(readFileSync(join(work, file), 'utf8')) as CpuProfile;
  const { functions, files, totalMs } = selfTimes(profile);
  process.stdout.write(['', `profile: ${join(work, file)} (${totalMs.toFixed(0)} ms sampled, includes start-up and warm-up)`, '', 'self time by file:', ...top(files, 25, totalMs), '', 'self time by function:', ...top(functions, 40, totalMs), ''].join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  process.exit(0);
}
