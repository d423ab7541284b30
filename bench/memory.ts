/**
 * Memory of `aigw serve` (issue 8 item 2):
 * - `slowStreams`: N concurrent streams held open at once, each upstream chunk 100 ms apart for 30 s
 *   (the fake upstream's `slow-stream` model); peak RSS read from /proc while they run (no work in the
 *   gateway), every stream checked to have ended with `[DONE]`.
 * - `soak`: steady mixed load (unary and streams alternating per connection, rate-limited) for 60 s;
 *   RSS and heap sampled each second; then idle and a full GC in the gateway, and the figures compared
 *   with the baseline taken the same way before the load.
 * Each runs on a fresh gateway, warmed first (`warmUp`: a few seconds of mixed load, then a full GC),
 * so its baseline is a process that has served, not one that never did.
 * "Returns to baseline": after the load, RSS (read after a full GC, once a second for up to
 * `settleMs`) comes within 5 % + 5 MB of the warmed baseline; the seconds it took are reported.
 * "No growth": the heap after GC grew less than 4 MB over the soak, and RSS in the last third is not
 * above the middle third by more than 5 %.
 */
import { Pool } from 'undici';
import { throughput, type RequestShape } from './load.js';
import type { ServerProcess } from './processes.js';
import { openAIBody } from './scenarios.js';

const MB = 1024 * 1024;

export interface SlowStreamsResult {
  readonly streams: number;
  readonly chunksPerStream: number;
  readonly intervalMs: number;
  readonly completed: number;
  readonly failed: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly afterRssMb: number;
  readonly seconds: number;
  readonly returnsToBaseline: boolean;
  /** From the end of the load to RSS back within the tolerance (or to giving up). */
  readonly settleSeconds: number;
}

interface Memory { readonly rss: number; readonly heapUsed?: number }

/** Baseline tolerance: RSS pages V8 and malloc keep after a full GC are not a leak below this. */
function withinBaseline(rss: number, baseline: number): boolean {
  return rss <= baseline * 1.05 + 5 * MB;
}

/** Full GC once a second until RSS is back within the tolerance of `baseline`, for at most `settleMs`. */
async function settleTo(server: ServerProcess, baseline: Memory, settleMs: number): Promise<{ after: Memory; seconds: number; back: boolean }> {
  const started = performance.now();
  for (;;) {
    const after = await server.collect();
    const seconds = (performance.now() - started) / 1000;
    if (withinBaseline(after.rss, baseline.rss)) return { after, seconds, back: true };
    if (seconds * 1000 >= settleMs) return { after, seconds, back: false };
    await sleep(1000);
  }
}

/** A fresh gateway's warm-up before its baseline: unary and stream requests for `seconds`, then a full GC. */
export async function warmUp(server: ServerProcess, seconds: number): Promise<Memory> {
  const unary: RequestShape = { url: server.url, path: '/v1/chat/completions', headers: {}, body: openAIBody('bench-openai', false), stream: false };
  if (seconds > 0) await throughput(unary, { connections: 20, seconds, alternate: [unary.body, openAIBody('bench-openai', true)] });
  await sleep(500);
  return server.collect();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Samples the server's RSS (from /proc when present, else over IPC) until `stop()`. */
function rssSampler(server: ServerProcess, everyMs: number): { stop: () => Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(server.rssFromProc() ?? (await server.usage()).rss);
      await sleep(everyMs);
    }
  })();
  return { stop: async () => { running = false; await loop; return samples; } };
}

export async function slowStreams(server: ServerProcess, baseline: Memory, options: { streams: number; chunks: number; intervalMs: number; settleMs: number }): Promise<SlowStreamsResult> {
  // Bounded: a stream that stops moving fails the run instead of holding it for ever.
  const expectedMs = options.chunks * options.intervalMs;
  const pool = new Pool(server.url, { connections: options.streams, pipelining: 1, headersTimeout: 30_000, bodyTimeout: Math.max(10_000, 20 * options.intervalMs) });
  const deadline = setTimeout(() => { void pool.destroy(new Error(`slow streams still open ${2 * expectedMs + 30_000} ms after they began`)); }, 2 * expectedMs + 30_000);
  const sampler = rssSampler(server, 200);
  const started = performance.now();
  const body = openAIBody('bench-slow', true);
  const one = async (): Promise<boolean> => {
    const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
    let tail = '';
    for await (const part of response.body) tail = (tail + (part as Buffer).toString('latin1')).slice(-64);
    return response.statusCode === 200 && tail.includes('data: [DONE]');
  };
  const outcomes = await Promise.allSettled(Array.from({ length: options.streams }, one));
  clearTimeout(deadline);
  const seconds = (performance.now() - started) / 1000;
  const samples = await sampler.stop();
  await pool.close();
  const settled = await settleTo(server, baseline, options.settleMs);
  const after = settled.after;
  const completed = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value).length;
  return {
    streams: options.streams,
    chunksPerStream: options.chunks,
    intervalMs: options.intervalMs,
    completed,
    failed: options.streams - completed,
    baselineRssMb: baseline.rss / MB,
    peakRssMb: Math.max(baseline.rss, ...samples) / MB,
    afterRssMb: after.rss / MB,
    seconds,
    returnsToBaseline: settled.back,
    settleSeconds: settled.seconds,
  };
}

export interface SoakResult {
  readonly seconds: number;
  readonly requests: number;
  readonly failures: number;
  readonly rate: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly afterRssMb: number;
  readonly baselineHeapMb: number;
  readonly afterHeapMb: number;
  /** RSS of each second of the soak, MB. */
  readonly rssMb: readonly number[];
  readonly returnsToBaseline: boolean;
  readonly settleSeconds: number;
  readonly noGrowth: boolean;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function soak(server: ServerProcess, baseline: Memory, options: { seconds: number; connections: number; rate: number; settleMs: number }): Promise<SoakResult> {
  const unary: RequestShape = { url: server.url, path: '/v1/chat/completions', headers: {}, body: openAIBody('bench-openai', false), stream: false };
  const samples: number[] = [];
  let running = true;
  const sampling = (async () => {
    while (running) {
      await sleep(1000);
      if (running) samples.push(server.rssFromProc() ?? (await server.usage()).rss);
    }
  })();
  const load = await throughputMixed(unary, options);
  running = false;
  await sampling;
  const settled = await settleTo(server, baseline, options.settleMs);
  const after = settled.after;
  const third = Math.max(1, Math.floor(samples.length / 3));
  const middle = mean(samples.slice(third, 2 * third));
  const last = mean(samples.slice(2 * third));
  const heapGrowth = (after.heapUsed ?? 0) - (baseline.heapUsed ?? 0);
  return {
    seconds: load.seconds,
    requests: load.requests,
    failures: load.failures,
    rate: options.rate,
    baselineRssMb: baseline.rss / MB,
    peakRssMb: Math.max(baseline.rss, ...samples) / MB,
    afterRssMb: after.rss / MB,
    baselineHeapMb: (baseline.heapUsed ?? 0) / MB,
    afterHeapMb: (after.heapUsed ?? 0) / MB,
    rssMb: samples.map((value) => Math.round((value / MB) * 10) / 10),
    returnsToBaseline: settled.back,
    settleSeconds: settled.seconds,
    noGrowth: heapGrowth < 4 * MB && (samples.length < 3 || last <= middle * 1.05),
  };
}

/** Unary and stream requests alternating on every connection, at a fixed overall rate. */
async function throughputMixed(unary: RequestShape, options: { seconds: number; connections: number; rate: number }) {
  return throughput(unary, {
    connections: options.connections,
    seconds: options.seconds,
    overallRate: options.rate,
    alternate: [unary.body, openAIBody('bench-openai', true)],
  });
}
