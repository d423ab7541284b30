/**
 * `npm run bench` (issue 8): in ONE run, with the same load, on 127.0.0.1, bounded in time, the
 * gateway against the bare upstream, a lean-proxy floor and peers; then memory under 1 000 slow streams
 * and a soak; then the CLI start-up (issue 3) and simulate speed (issue 5) benchmarks. Prints a
 * markdown table and the targets, writes bench/results.json.
 *
 *   npm run bench                     full run (≈ 6 min)
 *   npm run bench -- --quick          smoke run for CI (seconds; targets indicative, never enforced)
 *   npm run bench -- --install-peers  install Portkey (and LiteLLM) under .cache/bench-peers first
 *   options: --rounds N --seconds S --no-pin --no-peers --no-memory --enforce (exit 1 on a MISS)
 *
 * Exit 0 unless the harness itself breaks (a server that does not start or answers wrongly); with
 * --enforce in full mode, 1 when a target is missed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchOnce, probe, throughput } from './load.js';
import { slowStreams, soak, warmUp, type SlowStreamsResult, type SoakResult } from './memory.js';
import { installPeers, peerAvailability, startLitellm, startPortkey, type PeerServer } from './peers.js';
import { BENCH_DIR, ROOT, planPinning, startServer, type ServerProcess } from './processes.js';
import { evaluateTargets, failuresOf, markdownTable, median, peerRatios, summarize, targetsTable, type OtherFigures, type RoundFigures } from './report.js';
import { aigwManifest, buildRows, UPSTREAM_KEY, type Row, type ServerId } from './scenarios.js';
import { existsSync } from 'node:fs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    'install-peers': { type: 'boolean', default: false },
    enforce: { type: 'boolean', default: false },
    out: { type: 'string', default: join(BENCH_DIR, 'results.json') },
  },
});

const quick = flags.quick === true;
const settings = {
  rounds: Number(flags.rounds ?? (quick ? 1 : 5)),
  seconds: Number(flags.seconds ?? 3),
  connections: 50,
  /** Quick mode measures a fixed number of requests instead of a duration. */
  amount: quick ? 200 : undefined,
  probe: quick ? { milliseconds: 100, maxRequests: 60, warmup: 10 } : { milliseconds: 1500, maxRequests: 50_000, warmup: 200 },
  /** Streams' time to first byte, on the upstream's paused `first-byte-stream` (each request ≥ its 5 ms gap). */
  firstByteProbe: quick ? { milliseconds: 100, maxRequests: 10, warmup: 2 } : { milliseconds: 1000, maxRequests: 150, warmup: 10 },
  /** A pause before each 1-connection probe, so that work deferred by the 50-connection load (GC, audit flushes) lands outside it. */
  probeSettleMs: quick ? 0 : 250,
  /** Two passes over every row: the second runs after every request shape has reached every server. */
  warmupSeconds: quick ? 0 : 1,
  warmupPasses: 2,
  slow: quick ? { streams: 20, chunks: 5, intervalMs: 20 } : { streams: 1000, chunks: 300, intervalMs: 100 },
  /** settleMs: how long RSS may take to come back to the warmed baseline after the load (a full GC each second). */
  soak: quick ? { seconds: 1, connections: 4, rate: 200, settleMs: 200 } : { seconds: 60, connections: 20, rate: 1000, settleMs: 15_000 },
  memoryWarmupSeconds: quick ? 0 : 3,
  simulateRequests: quick ? 2_000 : 100_000,
  cliStartupRuns: quick ? 3 : 15,
};

const runStarted = performance.now();
/** The whole run's bound: a hung stage fails the run (its servers are killed on exit) instead of holding the machine. */
const RUN_DEADLINE_MS = quick ? 120_000 : 30 * 60_000;
setTimeout(() => {
  process.stderr.write(`bench: still running after ${RUN_DEADLINE_MS / 1000} s, giving up\n`);
  process.exit(1);
}, RUN_DEADLINE_MS).unref();
const log = (line: string): void => {
  process.stderr.write(`[${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
};

class HarnessError extends Error {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<number> {
  if (flags['install-peers'] === true) {
    const failed = installPeers(log);
    if (failed.length > 0) log(`peer install failed: ${failed.join(', ')} (continuing without them)`);
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) throw new HarnessError('dist/cli/bin.js is missing: run npm run build (npm run bench does)');
  const pinning = planPinning(flags['no-pin'] !== true);
  log(`aigw bench (${quick ? 'quick' : 'full'}): ${pinning.note}`);
  const work = mkdtempSync(join(tmpdir(), 'aigw-bench-'));
  const servers: ServerProcess[] = [];
  const started = new Date();
  try {
    const upstream = await startServer({
      name: 'upstream',
      node: { args: [join(BENCH_DIR, 'fake-upstream.ts'), '--slow-interval-ms', String(settings.slow.intervalMs), '--slow-chunks', String(settings.slow.chunks)], tsx: true },
      cwd: ROOT, cpu: pinning.upstreamCpu, logFile: join(work, 'upstream.log'),
    });
    servers.push(upstream);
    const serverCpu = pinning.serverCpu;
    const startAigw = (name: string, secure: boolean): Promise<ServerProcess> => {
      const manifest = join(work, `${name}.yaml`);
      writeFileSync(manifest, aigwManifest(upstream.url, { secure, auditFile: join(work, `${name}-audit.jsonl`) }));
      return startServer({
        name,
        node: { args: [join(ROOT, 'dist', 'cli', 'bin.js'), 'serve', manifest, '--port', '0', '--host', '127.0.0.1', '--audit-file', join(work, `${name}-audit.jsonl`)] },
        cwd: work, env: { BENCH_UPSTREAM_KEY: UPSTREAM_KEY }, cpu: serverCpu, logFile: join(work, `${name}.log`),
      });
    };
    const byId = new Map<ServerId, ServerProcess>([['upstream', upstream]]);
    const starting = [
      startServer({
        name: 'floor', node: { args: [join(BENCH_DIR, 'floor-proxy.ts'), '--upstream', upstream.url], tsx: true },
        cwd: ROOT, cpu: serverCpu, logFile: join(work, 'floor.log'),
      }),
      startAigw('aigw', false),
      startAigw('aigw-secure', true),
      // A reference: what design §5's one audit record per request costs even the floor.
      startServer({
        name: 'floor-audit', node: { args: [join(BENCH_DIR, 'floor-proxy.ts'), '--upstream', upstream.url, '--audit-file', join(work, 'floor-audit.jsonl')], tsx: true },
        cwd: ROOT, cpu: serverCpu, logFile: join(work, 'floor-audit.log'),
      }),
    ];
    const outcomes = await Promise.allSettled(starting);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') servers.push(outcome.value);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw new HarnessError(String(failed.reason instanceof Error ? failed.reason.message : failed.reason));
    const [floor, aigw, aigwSecure, floorAudit] = servers.slice(1) as [ServerProcess, ServerProcess, ServerProcess, ServerProcess];
    byId.set('floor', floor);
    byId.set('floor-audit', floorAudit);
    byId.set('aigw', aigw);
    byId.set('aigw-secure', aigwSecure);

    const peers: PeerServer[] = [];
    const availability = peerAvailability();
    if (!quick && flags['no-peers'] !== true) {
      if (availability.portkey) peers.push(await startPortkey(upstream.url, serverCpu, join(work, 'portkey.log')));
      if (availability.litellm) {
        try {
          peers.push(await startLitellm(upstream.url, serverCpu, join(work, 'litellm.log'), work));
        } catch (error) {
          log(`LiteLLM did not start (row h skipped): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        }
      }
      if (availability.hint !== '') log(availability.hint);
    }
    for (const peer of peers) {
      servers.push(peer.server);
      byId.set(peer.id, peer.server);
    }

    const allRows = buildRows({
      upstream: upstream.url, floor: floor.url, floorAudit: floorAudit.url, aigw: aigw.url, aigwSecure: aigwSecure.url,
      peers: peers.map((peer) => ({ id: peer.id, label: peer.label, url: peer.server.url, headers: peer.headers, model: peer.model, firstByteModel: peer.firstByteModel })),
    });
    const rows: Row[] = [];
    for (const row of allRows) {
      const problem = await checkRow(row);
      if (problem === undefined) {
        rows.push(row);
        continue;
      }
      if (row.server === 'portkey' || row.server === 'litellm') log(`${row.id}: skipped, ${problem}`);
      else throw new HarnessError(`${row.id}: ${problem}\n${byId.get(row.server)?.logTail() ?? ''}`);
    }

    const figures = await measureRows(rows, byId);
    const other: { slowStreams?: SlowStreamsResult; soak?: SoakResult } = {};
    for (const peer of peers) await peer.server.stop();
    await floor.stop();
    await floorAudit.stop();
    if (flags['no-memory'] !== true) Object.assign(other, await measureMemory(startAigw));
    const extra = await helperBenchmarks();

    const summaries = summarize(rows, figures);
    const peersRatios = peerRatios(summaries, figures);
    const overAuditedFloor = auditedFloorRatios(figures);
    const otherFigures: OtherFigures = { ...other, ...extra };
    const targets = evaluateTargets(summaries, peersRatios, otherFigures);
    const enforce = !quick;
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version, platform: `${process.platform} ${process.arch}`, loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
    };
    const results = {
      date: started.toISOString(), mode: quick ? 'quick' : 'full', machine, pinning, settings,
      rows: summaries, ratios: { aigwOverFloor: Object.fromEntries(summaries.filter((row) => row.overFloor !== undefined && row.server.startsWith('aigw')).map((row) => [row.id, row.overFloor])), aigwOverPeer: peersRatios, aigwOverFloorWithAudit: overAuditedFloor },
      targets, memory: other, helpers: extra,
    };
    writeFileSync(flags.out ?? join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderReport(summaries, targets, enforce, { pinning: pinning.note, machine, other, extra, peers: peersRatios, overAuditedFloor }));
    const missed = targets.filter((target) => target.pass === false);
    return flags.enforce === true && enforce && missed.length > 0 ? 1 : 0;
  } finally {
    await Promise.all(servers.map((server) => server.stop().catch(() => undefined)));
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every row must answer right before it is measured: a fast wrong answer is no benchmark. */
async function checkRow(row: Row): Promise<string | undefined> {
  try {
    const { status, body } = await fetchOnce(row.request);
    if (status !== 200) return `answered ${status}: ${body.slice(0, 300)}`;
    const expected = row.request.stream ? (row.request.path.endsWith('/messages') ? 'message_stop' : 'data: [DONE]') : 'close to nothing';
    if (!body.includes(expected)) return `unexpected answer (no "${expected}"): ${body.slice(0, 300)}`;
    if (row.request.stream && !body.includes('nothing')) return `stream lost content: ${body.slice(0, 300)}`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function measureRows(rows: readonly Row[], byId: ReadonlyMap<ServerId, ServerProcess>): Promise<Map<string, RoundFigures[]>> {
  const figures = new Map<string, RoundFigures[]>();
  if (settings.warmupSeconds > 0) {
    log(`warm-up: ${settings.warmupPasses} × ${settings.warmupSeconds} s per row`);
    for (let pass = 0; pass < settings.warmupPasses; pass += 1) {
      for (const row of rows) await throughput(row.request, { connections: settings.connections, seconds: settings.warmupSeconds });
    }
  }
  for (let round = 0; round < settings.rounds; round += 1) {
    // Forward, then backward, then forward: rows compared with each other (aigw and the floor, aigw and
    // its direct row) stay seconds apart, and no row always runs first or last.
    const order = round % 2 === 0 ? rows : [...rows].reverse();
    for (const row of order) {
      const server = byId.get(row.server);
      if (server === undefined) throw new HarnessError(`${row.id}: server ${row.server} is not running`);
      const before = await server.usage();
      const load = await throughput(row.request, { connections: settings.connections, ...(settings.amount === undefined ? { seconds: settings.seconds } : { amount: settings.amount }) });
      const middle = await server.usage();
      if (settings.probeSettleMs > 0) await sleep(settings.probeSettleMs);
      const settled = await server.usage();
      const timing = await probe(row.request, settings.probe);
      const after = await server.usage();
      const firstByte = row.firstByte === undefined ? undefined : await probe(row.firstByte, settings.firstByteProbe);
      const figuresOfRound: RoundFigures = {
        throughput: load,
        cpuUsPerRequest: (middle.cpuMicros - before.cpuMicros) / Math.max(1, load.requests),
        probe: timing,
        probeCpuUsPerRequest: (after.cpuMicros - settled.cpuMicros) / Math.max(1, timing.requests + settings.probe.warmup),
        ...(firstByte === undefined ? {} : { firstByte }),
      };
      figures.set(row.id, [...(figures.get(row.id) ?? []), figuresOfRound]);
      log(`[round ${round + 1}/${settings.rounds}] ${row.id.padEnd(24)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s @50  `
        + `p50 @1 ${(timing.p50Us / 1000).toFixed(3)} ms  cpu ${figuresOfRound.cpuUsPerRequest.toFixed(0)} µs/req`
        + (firstByte?.ttfbP50Us === undefined ? '' : `  first byte ${(firstByte.ttfbP50Us / 1000).toFixed(3)} ms`)
        + (failuresOf(figuresOfRound) > 0 ? `  ⚠ ${failuresOf(figuresOfRound)} failed` : ''));
    }
  }
  return figures;
}

/**
 * The memory runs, each on a fresh gateway warmed before its baseline: the throughput rounds' leftovers
 * are not its baseline, nor are the slow streams' the soak's.
 */
async function measureMemory(startAigw: (name: string, secure: boolean) => Promise<ServerProcess>): Promise<{ slowStreams: SlowStreamsResult; soak: SoakResult }> {
  const forStreams = await startAigw('aigw-memory-streams', false);
  let streams: SlowStreamsResult;
  try {
    const baseline = await warmUp(forStreams, settings.memoryWarmupSeconds);
    log(`memory: ${settings.slow.streams} concurrent streams, a chunk every ${settings.slow.intervalMs} ms for ${(settings.slow.chunks * settings.slow.intervalMs) / 1000} s …`);
    streams = await slowStreams(forStreams, baseline, { ...settings.slow, settleMs: settings.soak.settleMs });
    log(`memory: ${streams.completed}/${streams.streams} streams completed; RSS warmed baseline ${streams.baselineRssMb.toFixed(1)} MB, peak ${streams.peakRssMb.toFixed(1)} MB, after ${streams.afterRssMb.toFixed(1)} MB (${streams.returnsToBaseline ? 'back' : 'NOT back'} to baseline after ${streams.settleSeconds.toFixed(0)} s)`);
  } finally {
    await forStreams.stop();
  }
  const forSoak = await startAigw('aigw-memory-soak', false);
  try {
    const baseline = await warmUp(forSoak, settings.memoryWarmupSeconds);
    log(`memory: soak ${settings.soak.seconds} s at ${settings.soak.rate} req/s (unary and streams) …`);
    const soaked = await soak(forSoak, baseline, settings.soak);
    log(`memory: soak ${soaked.requests} requests; RSS ${soaked.baselineRssMb.toFixed(1)} → peak ${soaked.peakRssMb.toFixed(1)} → ${soaked.afterRssMb.toFixed(1)} MB after idle+GC; heap ${soaked.baselineHeapMb.toFixed(1)} → ${soaked.afterHeapMb.toFixed(1)} MB`);
    return { slowStreams: streams, soak: soaked };
  } finally {
    await forSoak.stop();
  }
}

/** Issue 3's cli-startup and issue 5's simulate benchmarks, run here so they stay part of the run. */
async function helperBenchmarks(): Promise<Pick<OtherFigures, 'simulate' | 'cliStartup'> & { notes: string[] }> {
  const notes: string[] = [];
  const out: { simulate?: { requests: number; elapsedMs: number; requestsPerSecond: number }; cliStartup?: { ratio: number; validateMs: number; baselineMs: number; runs: number } } = {};
  try {
    const { measureCliStartup, formatCliStartup } = await import('./cli-startup.js');
    const result = measureCliStartup({ runs: settings.cliStartupRuns });
    out.cliStartup = result;
    log(formatCliStartup(result));
  } catch (error) {
    notes.push(`cli-startup not run: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const { benchSimulate } = await import('./simulate.js');
    const result = await benchSimulate({ requests: settings.simulateRequests });
    out.simulate = result;
    log(`simulate: ${result.requests} requests in ${result.elapsedMs} ms (${result.requestsPerSecond} req/s)`);
  } catch (error) {
    notes.push(`simulate not run: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const note of notes) log(note);
  return { ...out, notes };
}

function renderReport(
  summaries: Parameters<typeof markdownTable>[0], targets: Parameters<typeof targetsTable>[0], enforce: boolean,
  context: { pinning: string; machine: Record<string, unknown>; other: { slowStreams?: SlowStreamsResult; soak?: SoakResult }; extra: { notes: string[] }; peers: ReturnType<typeof peerRatios>; overAuditedFloor: Readonly<Record<string, number>> },
): string {
  const lines = [
    '',
    `## aigw benchmark (${quick ? 'quick smoke run: figures indicative only' : `${settings.rounds} rounds, medians`})`,
    '',
    `Machine: ${String(context.machine['cpu'])}, ${String(context.machine['cores'])} cores, Node ${String(context.machine['node'])}; load average at start ${JSON.stringify(context.machine['loadAverageAtStart'])}.`,
    `Pinning: ${context.pinning}.`,
    `Load: autocannon at ${settings.connections} connections (${settings.amount === undefined ? `${settings.seconds} s` : `${settings.amount} requests`} per row and round); µs probe at 1 connection.`,
    '',
    markdownTable(summaries),
    '',
    ...noiseNote(summaries),
    ...context.peers.map((peer) => `aigw ÷ ${peer.peer} (req/s @50): unary ${peer.unary?.toFixed(1) ?? '–'}×, stream ${peer.stream?.toFixed(1) ?? '–'}×`),
    ...(Object.keys(context.overAuditedFloor).length === 0 ? [] : [
      `aigw ÷ the floor with one JSONL audit line per request (req/s @50, a reference, not a target): (c) ${context.overAuditedFloor['aigw-openai']?.toFixed(2) ?? '–'}×, (d) ${context.overAuditedFloor['aigw-anthropic']?.toFixed(2) ?? '–'}×, (f) ${context.overAuditedFloor['aigw-secure']?.toFixed(2) ?? '–'}×; that floor ÷ the floor: ${context.overAuditedFloor['floor-audit']?.toFixed(2) ?? '–'}×`,
    ]),
    ...(context.other.slowStreams === undefined ? [] : [
      `Slow streams: ${context.other.slowStreams.completed}/${context.other.slowStreams.streams} completed; RSS warmed baseline ${context.other.slowStreams.baselineRssMb.toFixed(1)} MB, peak ${context.other.slowStreams.peakRssMb.toFixed(1)} MB, after ${context.other.slowStreams.afterRssMb.toFixed(1)} MB (${context.other.slowStreams.returnsToBaseline ? 'back to baseline' : 'NOT back to baseline'} ${context.other.slowStreams.settleSeconds.toFixed(0)} s after the load).`,
    ]),
    ...(context.other.soak === undefined ? [] : [
      `Soak (${context.other.soak.seconds.toFixed(0)} s, ${context.other.soak.requests} requests, fresh gateway): RSS warmed baseline ${context.other.soak.baselineRssMb.toFixed(1)} → peak ${context.other.soak.peakRssMb.toFixed(1)} → ${context.other.soak.afterRssMb.toFixed(1)} MB after idle + GC (${context.other.soak.returnsToBaseline ? 'back to baseline' : 'NOT back to baseline'} ${context.other.soak.settleSeconds.toFixed(0)} s after the load); heap ${context.other.soak.baselineHeapMb.toFixed(1)} → ${context.other.soak.afterHeapMb.toFixed(1)} MB (${context.other.soak.noGrowth ? 'no growth' : 'GROWTH'}).`,
    ]),
    ...context.extra.notes,
    '',
    targetsTable(targets, enforce),
    '',
  ];
  return lines.join('\n');
}

/** Per-round req/s of the aigw unary rows ÷ the audited floor's (and of that floor ÷ the floor), medians. */
function auditedFloorRatios(figures: ReadonlyMap<string, readonly RoundFigures[]>): Record<string, number> {
  const reference = figures.get('floor-audit');
  if (reference === undefined) return {};
  const out: Record<string, number> = {};
  for (const [id, against] of [['aigw-openai', reference], ['aigw-anthropic', reference], ['aigw-secure', reference], ['floor-audit', figures.get('floor')]] as const) {
    const mine = figures.get(id);
    if (mine === undefined || against === undefined) continue;
    out[id] = median(mine.map((round, index) => round.throughput.requestsPerSecond / (against[index]?.throughput.requestsPerSecond ?? Number.NaN)));
  }
  return out;
}

/** The floor's own added p99 in this run: what scheduling noise alone costs a proxy on this machine. */
function noiseNote(summaries: Parameters<typeof markdownTable>[0]): string[] {
  const floor = summaries.find((row) => row.id === 'floor');
  if (floor?.addedP99Us === undefined) return [];
  const ms = (us: number | undefined): string => (us === undefined ? '–' : (us / 1000).toFixed(3));
  return [`Noise reference: the floor itself adds ${ms(floor.addedP50Us)} ms p50 and ${ms(floor.addedP99Us)} ms p99 over direct at 1 connection in this run.`, ''];
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    log(`bench: ${error instanceof HarnessError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
