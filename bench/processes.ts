/**
 * Every measured server runs as its own child process, pinned to its own core when `taskset` is
 * there, with the IPC probe (child-probe.mjs) preloaded: the harness learns the listening port from
 * it, and reads each server's own CPU time and memory, so a figure is never the load generator's.
 * Non-Node servers (LiteLLM) are measured from /proc instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = join(BENCH_DIR, 'child-probe.mjs');

/** Which core runs what. Without taskset (or with one core) nothing is pinned and the output says so. */
export interface Pinning {
  readonly enabled: boolean;
  /** The harness: load generator and latency probes. */
  readonly loadCpu?: number;
  /** The server being measured (gateway, floor proxy, peers). */
  readonly serverCpu?: number;
  /** The fake upstream (shares the load generator's core on a 2-core machine). */
  readonly upstreamCpu?: number;
  readonly note: string;
}

/** The CPUs this process may run on, from its affinity mask (taskset -pc), else 0..n-1. */
function allowedCpus(): number[] {
  const out = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' });
  const list = /:\s*([\d,\-\s]+)$/.exec(out.stdout.trim())?.[1];
  if (out.status !== 0 || list === undefined) return Array.from({ length: availableParallelism() }, (_, index) => index);
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to] = part.trim().split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

export function planPinning(wanted: boolean): Pinning {
  if (!wanted) return { enabled: false, note: 'not pinned (--no-pin)' };
  if (spawnSync('taskset', ['-V']).status !== 0) return { enabled: false, note: 'not pinned: taskset is not installed' };
  const cpus = allowedCpus();
  const [loadCpu, serverCpu, upstreamCpu] = cpus;
  if (loadCpu === undefined || serverCpu === undefined) return { enabled: false, note: `not pinned: only ${cpus.length} core available` };
  const upstream = upstreamCpu ?? loadCpu;
  // Pin this process (all its threads; children inherit it unless spawned with their own taskset).
  const self = spawnSync('taskset', ['-a', '-pc', String(loadCpu), String(process.pid)]);
  if (self.status !== 0) return { enabled: false, note: 'not pinned: taskset could not set this process\'s affinity' };
  return {
    enabled: true,
    loadCpu,
    serverCpu,
    upstreamCpu: upstream,
    note: `taskset: measured server on cpu ${serverCpu}; load generator on cpu ${loadCpu}; fake upstream on cpu ${upstream}`
      + (upstream === loadCpu ? ` (shared with the load generator: ${cpus.length} cores)` : ''),
  };
}

export interface Usage {
  /** user + system CPU time, µs. */
  readonly cpuMicros: number;
  readonly rss: number;
  readonly heapUsed?: number;
  readonly heapTotal?: number;
  /** Buffers and other memory outside the V8 heap. */
  readonly external?: number;
}

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  usage(): Promise<Usage>;
  /** Full GC in the child first (Node children only), then usage. */
  collect(): Promise<Usage>;
  /** Resident set from /proc (no work in the child), when /proc is there. */
  rssFromProc(): number | undefined;
  /** The tail of the server's output (for error messages). */
  logTail(): string;
  stop(): Promise<void>;
  /** SIGTERM and wait up to `timeoutMs` for the exit (a --cpu-prof profile is written then). */
  stopGracefully(timeoutMs: number): Promise<void>;
}

export interface ServerSpec {
  readonly name: string;
  /** Node script and its arguments (Node servers get the probe preloaded). */
  readonly node?: { readonly args: readonly string[]; readonly tsx?: boolean };
  /** Any other executable (its port must be given: `url`). */
  readonly command?: { readonly file: string; readonly args: readonly string[]; readonly url: string };
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cpu: number | undefined;
  /** Output goes to this file (stdout and stderr): realistic logging cost, and errors to show. */
  readonly logFile: string;
  readonly forceLoopback?: boolean;
  readonly startTimeoutMs?: number;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function procCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime); index 11 and 12 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS) * 1e6;
  } catch {
    return undefined;
  }
}

function procRss(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Every server started and not yet exited: killed when the harness exits, however it exits. */
const LIVE = new Set<ChildProcess>();
let exitHooked = false;

function killLiveOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const child of LIVE) child.kill('SIGKILL');
  });
  // A signal's default action skips 'exit' handlers: exit through them instead.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping ${LIVE.size} server(s)\n`);
      process.exit(code);
    });
  }
}

export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  killLiveOnExit();
  const output = openSync(spec.logFile, 'a');
  let file: string;
  let args: string[];
  if (spec.node !== undefined) {
    file = process.execPath;
    args = ['--import', PROBE, ...(spec.node.tsx === true ? ['--import', 'tsx'] : []), ...spec.node.args];
  } else if (spec.command !== undefined) {
    ({ file } = spec.command);
    args = [...spec.command.args];
  } else {
    throw new Error(`${spec.name}: neither node nor command given`);
  }
  if (spec.cpu !== undefined) {
    args = ['-c', String(spec.cpu), file, ...args];
    file = 'taskset';
  }
  const child = spawn(file, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, ...(spec.forceLoopback === true ? { AIGW_BENCH_LOOPBACK: '1' } : {}), NO_COLOR: '1' },
    stdio: ['ignore', output, output, ...(spec.node === undefined ? [] : ['ipc' as const])],
  });
  closeSync(output);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not start ${file}`);
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
  const logTail = (): string => {
    try {
      return readFileSync(spec.logFile, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  };
  const url = spec.command?.url ?? await listeningUrl(child, spec, logTail);
  if (spec.command !== undefined) await waitForPort(spec.command.url, child, spec, logTail);
  const ipc = spec.node === undefined ? undefined : createUsageChannel(child);
  const procUsage = (): Usage => ({ cpuMicros: procCpuMicros(pid) ?? 0, rss: procRss(pid) ?? 0 });
  return {
    name: spec.name,
    pid,
    url,
    usage: () => (ipc === undefined ? Promise.resolve(procUsage()) : ipc('usage')),
    collect: () => (ipc === undefined ? Promise.resolve(procUsage()) : ipc('gc')),
    rssFromProc: () => procRss(pid),
    logTail,
    stop: () => stopChild(child, 1_000),
    stopGracefully: (timeoutMs) => stopChild(child, timeoutMs),
  };
}

function listeningUrl(child: ChildProcess, spec: ServerSpec, logTail: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${spec.name}: not listening after ${spec.startTimeoutMs ?? 20_000} ms\n${logTail()}`)), spec.startTimeoutMs ?? 20_000);
    const onMessage = (message: unknown): void => {
      const listening = message as { type?: string; address?: string; port?: number };
      if (listening.type !== 'listening' || listening.port === undefined) return;
      cleanup();
      const host = listening.address?.includes(':') === true ? `[${listening.address}]` : listening.address;
      resolve(`http://${host ?? '127.0.0.1'}:${listening.port}`);
    };
    const onExit = (code: number | null): void => fail(new Error(`${spec.name}: exited (${String(code)}) before listening\n${logTail()}`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const fail = (error: Error): void => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function waitForPort(url: string, child: ChildProcess, spec: ServerSpec, logTail: () => string): Promise<void> {
  const deadline = Date.now() + (spec.startTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${spec.name}: exited (${child.exitCode}) before listening\n${logTail()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${spec.name}: not answering on ${url}\n${logTail()}`);
}

function createUsageChannel(child: ChildProcess): (type: 'usage' | 'gc') => Promise<Usage> {
  let nextId = 0;
  const waiting = new Map<number, (usage: Usage) => void>();
  child.on('message', (message: unknown) => {
    const reply = message as { type?: string; id?: number; cpu?: { user: number; system: number }; rss?: number; heapUsed?: number; heapTotal?: number; external?: number };
    if (reply.type !== 'usage' || reply.id === undefined || reply.cpu === undefined) return;
    waiting.get(reply.id)?.({
      cpuMicros: reply.cpu.user + reply.cpu.system, rss: reply.rss ?? 0,
      ...(reply.heapUsed === undefined ? {} : { heapUsed: reply.heapUsed }),
      ...(reply.heapTotal === undefined ? {} : { heapTotal: reply.heapTotal }),
      ...(reply.external === undefined ? {} : { external: reply.external }),
    });
    waiting.delete(reply.id);
  });
  return (type) => new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`no ${type} answer from pid ${String(child.pid)}`));
    }, 10_000);
    waiting.set(id, (usage) => {
      clearTimeout(timer);
      resolve(usage);
    });
    child.send({ type, id });
  });
}

/** SIGTERM, then SIGKILL after `graceMs` (a second by default: a graceful drain is not what the benchmark measures). */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
