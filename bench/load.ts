/**
 * Load generation, from the harness process (pinned to the load core):
 * - `throughput`: autocannon at N connections for a fixed time (or a fixed amount in quick mode):
 *   requests/s and its latency percentiles (autocannon's resolution is whole milliseconds);
 * - `probe`: our own µs-resolution probe: one keep-alive connection, one request at a time, each timed
 *   with process.hrtime from the first byte sent to the last byte read; for streams also the time to
 *   the first body byte. Sub-millisecond differences between rows are only visible here.
 */
import autocannon from 'autocannon';
import { Client } from 'undici';

export interface RequestShape {
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly stream: boolean;
}

export interface ThroughputResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts: a non-zero figure makes the row suspect. */
  readonly failures: number;
}

/** The subset of autocannon's result this harness reads (autocannon ships no types). */
interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly requests: { readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

export interface ThroughputOptions {
  readonly connections: number;
  readonly seconds?: number;
  /** A fixed number of requests instead of a duration (quick mode). */
  readonly amount?: number;
  readonly overallRate?: number;
  /** Bodies each connection cycles through (the soak's unary/stream mix) instead of `shape.body`. */
  readonly alternate?: readonly string[];
}

export async function throughput(shape: RequestShape, options: ThroughputOptions): Promise<ThroughputResult> {
  const run = autocannon as unknown as Autocannon;
  const started = performance.now();
  const result = await run({
    url: `${shape.url}${shape.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...shape.headers },
    body: shape.body,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount === undefined ? { duration: options.seconds ?? 5 } : { amount: options.amount }),
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    ...(options.alternate === undefined ? {} : { requests: options.alternate.map((body) => ({ method: 'POST', body })) }),
    timeout: 30,
    // autocannon stops on a sample tick (default every second); 100 ms keeps short runs short.
    sampleInt: 100,
  });
  const requests = result.requests.total;
  // autocannon rounds a short run's duration to whole seconds; a fixed amount is timed here instead.
  const seconds = options.amount === undefined ? result.duration : (performance.now() - started) / 1000;
  return {
    requests,
    seconds,
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

export interface ProbeResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Streams: time from sending to the first body byte. */
  readonly ttfbP50Us?: number;
  readonly ttfbP99Us?: number;
  readonly failures: number;
}

export function percentile(sorted: Float64Array | readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** Sequential requests on one connection for `milliseconds` (at most `maxRequests`), after `warmup` untimed ones. */
export async function probe(shape: RequestShape, options: { milliseconds: number; maxRequests: number; warmup: number }): Promise<ProbeResult> {
  const client = new Client(shape.url, { pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', ...shape.headers };
  const totals = new Float64Array(options.maxRequests);
  const firsts = new Float64Array(options.maxRequests);
  let count = 0;
  let failures = 0;
  const once = async (): Promise<{ total: number; first: number } | undefined> => {
    const started = process.hrtime.bigint();
    const response = await client.request({ path: shape.path, method: 'POST', headers, body: shape.body });
    let first = 0n;
    for await (const part of response.body) {
      if (first === 0n && (part as Uint8Array).byteLength > 0) first = process.hrtime.bigint();
    }
    const ended = process.hrtime.bigint();
    if (response.statusCode !== 200) return undefined;
    return { total: Number(ended - started) / 1000, first: Number((first === 0n ? ended : first) - started) / 1000 };
  };
  try {
    for (let index = 0; index < options.warmup; index += 1) await once();
    const started = performance.now();
    const deadline = started + options.milliseconds;
    while (count < options.maxRequests && performance.now() < deadline) {
      const timing = await once();
      if (timing === undefined) {
        failures += 1;
        continue;
      }
      totals[count] = timing.total;
      firsts[count] = timing.first;
      count += 1;
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    const sortedTotals = totals.slice(0, count).sort();
    const sortedFirsts = firsts.slice(0, count).sort();
    return {
      requests: count,
      requestsPerSecond: count / elapsedSeconds,
      p50Us: percentile(sortedTotals, 0.5),
      p99Us: percentile(sortedTotals, 0.99),
      ...(shape.stream ? { ttfbP50Us: percentile(sortedFirsts, 0.5), ttfbP99Us: percentile(sortedFirsts, 0.99) } : {}),
      failures,
    };
  } finally {
    await client.close();
  }
}

/** One request, its status and body (the harness checks every row answers right before measuring it). */
export async function fetchOnce(shape: RequestShape): Promise<{ status: number; body: string }> {
  const client = new Client(shape.url);
  try {
    const response = await client.request({ path: shape.path, method: 'POST', headers: { 'content-type': 'application/json', ...shape.headers }, body: shape.body });
    return { status: response.statusCode, body: await response.body.text() };
  } finally {
    await client.close();
  }
}
