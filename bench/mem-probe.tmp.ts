import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { slowStreams } from './memory.js';
import { BENCH_DIR, ROOT, planPinning, startServer } from './processes.js';
import { aigwManifest, UPSTREAM_KEY } from './scenarios.js';
const bin = resolve(process.argv[2] ?? 'dist/cli/bin.js');
const pinning = planPinning(true);
const work = mkdtempSync(join(tmpdir(), 'aigw-mem-'));
const upstream = await startServer({ name: 'upstream', node: { args: [join(BENCH_DIR, 'fake-upstream.ts')], tsx: true }, cwd: ROOT, cpu: pinning.upstreamCpu, logFile: join(work, 'upstream.log') });
const manifest = join(work, 'aigw.yaml');
writeFileSync(manifest, aigwManifest(upstream.url, { secure: false, auditFile: join(work, 'audit.jsonl') }));
const server = await startServer({ name: 'aigw', node: { args: [...(process.argv[3] ?? '').split(' ').filter(Boolean), bin, 'serve', manifest, '--port', '0', '--audit-file', join(work, 'audit.jsonl')] }, cwd: work, env: { BENCH_UPSTREAM_KEY: UPSTREAM_KEY }, cpu: pinning.serverCpu, logFile: join(work, 'aigw.log') });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  if (process.env.SNAP === '1') { await server.collect(); process.kill(server.pid, 'SIGUSR2'); await sleep(6000); }
  const running = slowStreams(server, { streams: 1000, chunks: 300, intervalMs: 100, settleMs: 2000 });
  if (process.env.MID === '1' || process.env.SNAP === '1') {
    await sleep(15000);
    console.log('mid', JSON.stringify(await server.usage()));
    console.log('mid after gc', JSON.stringify(await server.collect()));
    if (process.env.SNAP === '1') { process.kill(server.pid, 'SIGUSR2'); await sleep(8000); console.log('snapshots in', work); }
  }
  console.log(JSON.stringify(await running));
} finally {
  await server.stop();
  await upstream.stop();
}
