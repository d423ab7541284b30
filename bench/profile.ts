/**
 * Where the gateway's CPU goes: runs `aigw serve` under `node --cpu-prof` against the fake upstream,
 * drives one row's load through it, stops it cleanly (the profile is written on exit) and prints the
 * functions and files with the most self time. The .cpuprofile file is kept (open it in Chrome
 * DevTools or speedscope for the call tree).
 *
 *   npm run build && node --import tsx bench/profile.ts [--row floor|aigw-openai|aigw-secure|aigw-anthropic|aigw-openai-stream|aigw-anthropic-stream]
 *     [--seconds 5] [--connections 50] [--heap (allocations instead of CPU time)] [--bin path/to/cli/bin.js (another build, for A/B)]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A sampling heap profile (`node --heap-prof`): a tree of allocation sites with bytes sampled at each. */
interface HeapProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapProfileNode[];
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

/** Bytes allocated per function (self), from a heap profile's tree. */
export function allocationSites(root: HeapProfileNode): { functions: Map<string, number>; totalBytes: number } {
  const functions = new Map<string, number>();
  let totalBytes = 0;
  const stack: HeapProfileNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    totalBytes += node.selfSize;
    const url = node.callFrame.url.replace(/^file:\/\//, '');
    const file = url === '' ? '(native)' : url.startsWith(ROOT) ? relative(ROOT, url) : url;
    const name = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
  }
  return { functions, totalBytes };
}

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

function top(map: ReadonlyMap<string, number>, count: number, total: number, unit = 'ms'): string[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([name, amount]) => `${((amount / total) * 100).toFixed(1).padStart(5)} %  ${amount.toFixed(0).padStart(6)} ${unit}  ${name}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { row: { type: 'string', default: 'aigw-openai' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' }, heap: { type: 'boolean', default: false }, bin: { type: 'string', default: join(ROOT, 'dist', 'cli', 'bin.js') } } });
  // `floor` profiles the lean pass-through (bench/floor-proxy.ts) under the same load, for comparison.
  const isFloor = values.row === 'floor';
  const row = isFloor ? GATEWAY_ROWS['aigw-openai'] : GATEWAY_ROWS[values.row ?? 'aigw-openai'];
  if (row === undefined) throw new Error(`--row must be one of floor, ${Object.keys(GATEWAY_ROWS).join(', ')}`);
  // --heap samples allocations instead of CPU time: what feeds the garbage collector.
  const heap = values.heap === true;
  const profileFlags = (dir: string): string[] => heap ? ['--import', pathToFileURL(join(BENCH_DIR, 'allocation-sampler.mjs')).href] : ['--cpu-prof', '--cpu-prof-dir', dir];
  const pinning = planPinning(true);
  const work = mkdtempSync(join(tmpdir(), 'aigw-profile-'));
  const heapEnv = heap ? { AIGW_HEAP_PROFILE: join(work, 'allocations.heapprofile') } : {};
  const upstream = await startServer({ name: 'upstream', node: { args: [join(BENCH_DIR, 'fake-upstream.ts')], tsx: true }, cwd: ROOT, cpu: pinning.upstreamCpu, logFile: join(work, 'upstream.log') });
  const manifest = join(work, 'aigw.yaml');
  writeFileSync(manifest, aigwManifest(upstream.url, { secure: row.secure === true, auditFile: join(work, 'audit.jsonl') }));
  // Both servers stop whatever happens (a failed start or load would leave them running).
  let gateway: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    gateway = await startServer(isFloor ? {
      name: 'floor', node: { args: [...profileFlags(work), join(BENCH_DIR, 'floor-proxy.ts'), '--upstream', upstream.url], tsx: true },
      cwd: ROOT, env: heapEnv, cpu: pinning.serverCpu, logFile: join(work, 'floor.log'),
    } : {
      name: 'aigw',
      node: { args: [...profileFlags(work), resolve(values.bin ?? join(ROOT, 'dist', 'cli', 'bin.js')), 'serve', manifest, '--port', '0', '--audit-file', join(work, 'audit.jsonl')] },
      cwd: work, env: { BENCH_UPSTREAM_KEY: UPSTREAM_KEY, ...heapEnv }, cpu: pinning.serverCpu, logFile: join(work, 'aigw.log'),
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
    // The profile is kept; the run's audit files (hundreds of MB) are not.
    for (const name of readdirSync(work)) if (name.startsWith('audit.jsonl')) rmSync(join(work, name), { force: true });
  }
  const extension = heap ? '.heapprofile' : '.cpuprofile';
  const file = readdirSync(work).find((name) => name.endsWith(extension));
  if (file === undefined) throw new Error(`no profile written\n${gateway?.logTail() ?? ''}`);
  const path = join(work, file);
  if (heap) {
    const { functions, totalBytes } = allocationSites((JSON.parse(readFileSync(path, 'utf8')) as { head: HeapProfileNode }).head);
    const megabytes = new Map([...functions].map(([name, bytes]) => [name, bytes / 1e6]));
    process.stdout.write(['', `heap profile: ${path} (${(totalBytes / 1e6).toFixed(1)} MB sampled, includes start-up and warm-up)`, '', 'allocated by function:', ...top(megabytes, 40, totalBytes / 1e6, 'MB'), ''].join('\n'));
    return;
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const { functions, files, totalMs } = selfTimes(profile);
  process.stdout.write(['', `profile: ${path} (${totalMs.toFixed(0)} ms sampled, includes start-up and warm-up)`, '', 'self time by file:', ...top(files, 25, totalMs), '', 'self time by function:', ...top(functions, 40, totalMs), ''].join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
