/**
 * Figures → medians across rounds, ratios, targets (issue 8 item 3) and the markdown output. Ratios
 * and added latencies are computed within each round (rows of one round ran seconds apart, so load
 * from other processes hits them alike) and the median of those is reported.
 */
import type { ProbeResult, ThroughputResult } from './load.js';
import type { SlowStreamsResult, SoakResult } from './memory.js';
import type { Row } from './scenarios.js';

export interface RoundFigures {
  readonly throughput: ThroughputResult;
  /** Server CPU time during the throughput run / requests answered, µs. */
  readonly cpuUsPerRequest: number;
  readonly probe: ProbeResult;
  readonly probeCpuUsPerRequest: number;
  /** Streams: the probe of the row's `firstByte` request (time to first byte). */
  readonly firstByte?: ProbeResult;
}

/** Failed requests of one round, in any of its measurements. */
export function failuresOf(round: RoundFigures): number {
  return round.throughput.failures + round.probe.failures + (round.firstByte?.failures ?? 0);
}

/** Lowest and highest value over the rounds of a per-round figure. */
export type Spread = readonly [number, number];

export interface RowSummary {
  readonly id: string;
  readonly letter: string;
  readonly label: string;
  readonly server: string;
  readonly rps50: number;
  readonly p50Ms50: number;
  readonly p99Ms50: number;
  readonly rps1: number;
  readonly p50Us1: number;
  readonly p99Us1: number;
  readonly ttfbP50Us?: number;
  readonly ttfbP99Us?: number;
  /** The paused first-byte stream's whole time, p50 (its first byte comes ≥ 5 ms before its end). */
  readonly firstByteStreamP50Us?: number;
  readonly cpuUsPerRequest50: number;
  readonly cpuUsPerRequest1: number;
  /** Median over rounds of (this row − its direct row), µs at 1 connection. */
  readonly addedP50Us?: number;
  readonly addedP99Us?: number;
  readonly addedTtfbP50Us?: number;
  /** Median over rounds of this row's req/s @50 ÷ the floor's (same kind). */
  readonly overFloor?: number;
  /** Lowest and highest round of the figures above that targets judge. */
  readonly spread: Readonly<Partial<Record<'overFloor' | 'addedP50Us' | 'addedP99Us' | 'addedTtfbP50Us' | 'cpuUsPerRequest50', Spread>>>;
  readonly failures: number;
  readonly rounds: readonly RoundFigures[];
}

export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[middle] ?? Number.NaN : ((finite[middle - 1] ?? 0) + (finite[middle] ?? 0)) / 2;
}

/** A figure computed within each round against another row's same round (NaN where that round is missing). */
function perRoundValues(rounds: readonly RoundFigures[], other: readonly RoundFigures[] | undefined, pick: (mine: RoundFigures, theirs: RoundFigures) => number): number[] | undefined {
  if (other === undefined) return undefined;
  return rounds.map((mine, index) => {
    const theirs = other[index];
    return theirs === undefined ? Number.NaN : pick(mine, theirs);
  });
}

function perRound(rounds: readonly RoundFigures[], other: readonly RoundFigures[] | undefined, pick: (mine: RoundFigures, theirs: RoundFigures) => number): number | undefined {
  const values = perRoundValues(rounds, other, pick);
  return values === undefined ? undefined : median(values);
}

function spreadOf(values: readonly number[] | undefined): Spread | undefined {
  const finite = (values ?? []).filter((value) => Number.isFinite(value));
  return finite.length === 0 ? undefined : [Math.min(...finite), Math.max(...finite)];
}

export function summarize(rows: readonly Row[], figures: ReadonlyMap<string, readonly RoundFigures[]>): RowSummary[] {
  return rows.flatMap((row): RowSummary[] => {
    const rounds = figures.get(row.id);
    if (rounds === undefined || rounds.length === 0) return [];
    const direct = row.direct === undefined ? undefined : figures.get(row.direct);
    const stream = row.request.stream;
    const floor = row.server === 'floor' || row.server === 'upstream' || row.server === 'floor-audit' ? undefined : figures.get(stream ? 'floor-stream' : 'floor');
    const ttfbOf = (round: RoundFigures): number => round.firstByte?.ttfbP50Us ?? Number.NaN;
    const addedTtfbValues = stream ? perRoundValues(rounds, direct, (mine, theirs) => ttfbOf(mine) - ttfbOf(theirs)) : undefined;
    const overFloorValues = perRoundValues(rounds, floor, (mine, theirs) => mine.throughput.requestsPerSecond / theirs.throughput.requestsPerSecond);
    const addedP50Values = perRoundValues(rounds, direct, (mine, theirs) => mine.probe.p50Us - theirs.probe.p50Us);
    const addedP99Values = perRoundValues(rounds, direct, (mine, theirs) => mine.probe.p99Us - theirs.probe.p99Us);
    const cpuValues = rounds.map((round) => round.cpuUsPerRequest);
    const medianOr = (values: readonly number[] | undefined): number | undefined => (values === undefined ? undefined : median(values));
    const addedTtfb = medianOr(addedTtfbValues);
    const overFloor = medianOr(overFloorValues);
    const addedP50 = medianOr(addedP50Values);
    const addedP99 = medianOr(addedP99Values);
    const spread: Partial<Record<'overFloor' | 'addedP50Us' | 'addedP99Us' | 'addedTtfbP50Us' | 'cpuUsPerRequest50', Spread>> = {};
    for (const [key, values] of [['overFloor', overFloorValues], ['addedP50Us', addedP50Values], ['addedP99Us', addedP99Values], ['addedTtfbP50Us', addedTtfbValues], ['cpuUsPerRequest50', cpuValues]] as const) {
      const range = spreadOf(values);
      if (range !== undefined) spread[key] = range;
    }
    return [{
      id: row.id,
      letter: row.letter,
      label: row.label,
      server: row.server,
      rps50: median(rounds.map((round) => round.throughput.requestsPerSecond)),
      p50Ms50: median(rounds.map((round) => round.throughput.p50Ms)),
      p99Ms50: median(rounds.map((round) => round.throughput.p99Ms)),
      rps1: median(rounds.map((round) => round.probe.requestsPerSecond)),
      p50Us1: median(rounds.map((round) => round.probe.p50Us)),
      p99Us1: median(rounds.map((round) => round.probe.p99Us)),
      ...(stream ? {
        ttfbP50Us: median(rounds.map(ttfbOf)),
        ttfbP99Us: median(rounds.map((round) => round.firstByte?.ttfbP99Us ?? Number.NaN)),
        firstByteStreamP50Us: median(rounds.map((round) => round.firstByte?.p50Us ?? Number.NaN)),
      } : {}),
      cpuUsPerRequest50: median(rounds.map((round) => round.cpuUsPerRequest)),
      cpuUsPerRequest1: median(rounds.map((round) => round.probeCpuUsPerRequest)),
      ...(addedP50 === undefined ? {} : { addedP50Us: addedP50 }),
      ...(addedP99 === undefined ? {} : { addedP99Us: addedP99 }),
      ...(addedTtfb === undefined ? {} : { addedTtfbP50Us: addedTtfb }),
      ...(overFloor === undefined ? {} : { overFloor }),
      spread,
      failures: rounds.reduce((sum, round) => sum + failuresOf(round), 0),
      rounds,
    }];
  });
}

export interface Target {
  readonly id: string;
  readonly description: string;
  readonly value: number | undefined;
  readonly limit: string;
  /** undefined: not measured in this run (peer not installed, helper missing). */
  readonly pass: boolean | undefined;
  readonly unit: string;
  /** Lowest and highest round, for figures taken per round (the value is their median). */
  readonly spread?: Spread;
  /** Failed requests in the rows the figure comes from: such a figure is a MISS, whatever its value. */
  readonly failures?: number;
}

export interface PeerRatio {
  readonly peer: string;
  readonly unary?: number;
  readonly stream?: number;
}

export function peerRatios(summaries: readonly RowSummary[], figures: ReadonlyMap<string, readonly RoundFigures[]>): PeerRatio[] {
  const out: PeerRatio[] = [];
  for (const peer of ['portkey', 'litellm']) {
    const ratio = (mine: string, theirs: string): number | undefined => {
      const a = figures.get(mine);
      const b = figures.get(theirs);
      return a === undefined || b === undefined ? undefined : perRound(a, b, (x, y) => x.throughput.requestsPerSecond / y.throughput.requestsPerSecond);
    };
    if (!summaries.some((row) => row.server === peer)) continue;
    const unary = ratio('aigw-openai', peer);
    const stream = ratio('aigw-openai-stream', `${peer}-stream`);
    out.push({ peer, ...(unary === undefined ? {} : { unary }), ...(stream === undefined ? {} : { stream }) });
  }
  return out;
}

export interface OtherFigures {
  readonly slowStreams?: SlowStreamsResult;
  readonly soak?: SoakResult;
  readonly simulate?: { readonly requests: number; readonly elapsedMs: number };
  readonly cliStartup?: { readonly ratio: number };
}

export function evaluateTargets(summaries: readonly RowSummary[], peers: readonly PeerRatio[], other: OtherFigures): Target[] {
  const row = (id: string): RowSummary | undefined => summaries.find((summary) => summary.id === id);
  const target = (id: string, description: string, value: number | undefined, limit: string, unit: string, check: (value: number) => boolean, from: { rows?: readonly string[]; spread?: Spread | undefined } = {}): Target => {
    // A row that lost requests answered fewer of them, or answered errors fast: its figures judge nothing.
    const failures = (from.rows ?? []).reduce((sum, rowId) => sum + (row(rowId)?.failures ?? 0), 0);
    const measured = value === undefined || Number.isNaN(value) ? undefined : failures > 0 ? false : check(value);
    return { id, description, value, limit, unit, pass: measured, ...(from.spread === undefined ? {} : { spread: from.spread }), ...(failures > 0 ? { failures } : {}) };
  };
  const portkey = peers.find((peer) => peer.peer === 'portkey');
  const slow = other.slowStreams;
  const soakResult = other.soak;
  const c = row('aigw-openai');
  const d = row('aigw-anthropic');
  const floor = row('floor');
  const cpuAtOne = c === undefined ? '' : ` (at 1 connection: ${c.cpuUsPerRequest1.toFixed(0)} µs; the floor ${floor?.cpuUsPerRequest1.toFixed(0) ?? '–'} µs)`;
  return [
    target('c-vs-floor', '(c) requests/s @50 ÷ floor', c?.overFloor, '≥ 0.85', '×', (value) => value >= 0.85, { rows: ['aigw-openai', 'floor'], spread: c?.spread.overFloor }),
    target('c-added-p50', '(c) added latency over direct @1, p50', c?.addedP50Us, '≤ 500 µs', 'µs', (value) => value <= 500, { rows: ['aigw-openai', 'direct'], spread: c?.spread.addedP50Us }),
    target('c-added-p99', '(c) added latency over direct @1, p99', c?.addedP99Us, '≤ 1500 µs', 'µs', (value) => value <= 1500, { rows: ['aigw-openai', 'direct'], spread: c?.spread.addedP99Us }),
    target('e-c-ttfb', '(e) stream first byte added over direct, OpenAI-compatible', row('aigw-openai-stream')?.addedTtfbP50Us, '≤ 500 µs', 'µs', (value) => value <= 500, { rows: ['aigw-openai-stream', 'direct-stream'], spread: row('aigw-openai-stream')?.spread.addedTtfbP50Us }),
    target('e-d-ttfb', '(e) stream first byte added over direct, Anthropic', row('aigw-anthropic-stream')?.addedTtfbP50Us, '≤ 500 µs', 'µs', (value) => value <= 500, { rows: ['aigw-anthropic-stream', 'direct-anthropic-stream'], spread: row('aigw-anthropic-stream')?.spread.addedTtfbP50Us }),
    target('d-vs-floor', '(d) requests/s @50 ÷ floor', d?.overFloor, '≥ 0.75', '×', (value) => value >= 0.75, { rows: ['aigw-anthropic', 'floor'], spread: d?.spread.overFloor }),
    // Judged at steady load (50 connections); at 1 connection every request also pays the idle process's wake-up.
    target('c-cpu', `(c) gateway CPU per request @50${cpuAtOne}`, c?.cpuUsPerRequest50, '≤ 100 µs', 'µs', (value) => value <= 100, { rows: ['aigw-openai'], spread: c?.spread.cpuUsPerRequest50 }),
    target('c-vs-portkey', '(c) requests/s @50 ÷ Portkey', portkey?.unary, '≥ 10', '×', (value) => value >= 10, { rows: ['aigw-openai', 'portkey'] }),
    target('streams-rss', `${slow?.streams ?? 1000} concurrent slow streams: peak RSS (all completed)`, slow === undefined ? undefined : (slow.failed > 0 ? Number.POSITIVE_INFINITY : slow.peakRssMb), '< 200 MB', 'MB', (value) => value < 200),
    target('streams-baseline', 'after the slow streams: RSS back to the warmed baseline (1 = yes)', slow === undefined ? undefined : (slow.returnsToBaseline ? 1 : 0), '= 1', '', (value) => value === 1),
    target('soak-growth', 'soak: no growth (heap after GC, RSS plateau; 1 = none)', soakResult === undefined ? undefined : (soakResult.noGrowth ? 1 : 0), '= 1', '', (value) => value === 1),
    target('soak-baseline', 'after the soak: RSS back to the warmed baseline (1 = yes)', soakResult === undefined ? undefined : (soakResult.returnsToBaseline ? 1 : 0), '= 1', '', (value) => value === 1),
    target('simulate-speed', `simulate ${other.simulate?.requests ?? 100_000} requests (issue 5)`, other.simulate === undefined ? undefined : other.simulate.elapsedMs * (100_000 / other.simulate.requests), '< 5000 ms per 100 000', 'ms', (value) => value < 5000),
    target('cli-startup', 'aigw validate ÷ node -e 0 (issue 3)', other.cliStartup?.ratio, '< 3', '×', (value) => value < 3),
  ];
}

const ms = (us: number | undefined): string => (us === undefined || Number.isNaN(us) ? '–' : (us / 1000).toFixed(3));
const fixed = (value: number | undefined, digits: number): string => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

export function markdownTable(summaries: readonly RowSummary[]): string {
  const header = '| row | scenario | req/s @50 | p50 / p99 @50 (ms) | req/s @1 | p50 / p99 @1 (ms) | added p50 / p99 @1 (ms) | first byte p50 (ms) | added first byte (ms) | CPU µs/req @50 / @1 | ÷ floor |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = summaries.map((row) => [
    row.letter,
    row.label + (row.failures > 0 ? ` ⚠ ${row.failures} failed` : ''),
    fixed(row.rps50, 0),
    `${fixed(row.p50Ms50, 0)} / ${fixed(row.p99Ms50, 0)}`,
    fixed(row.rps1, 0),
    `${ms(row.p50Us1)} / ${ms(row.p99Us1)}`,
    row.addedP50Us === undefined ? '' : `${ms(row.addedP50Us)} / ${ms(row.addedP99Us)}`,
    ms(row.ttfbP50Us),
    row.addedTtfbP50Us === undefined ? '' : ms(row.addedTtfbP50Us),
    `${fixed(row.cpuUsPerRequest50, 0)} / ${fixed(row.cpuUsPerRequest1, 0)}`,
    row.overFloor === undefined ? '' : `${fixed(row.overFloor, 2)}×`,
  ].join(' | '));
  return [header, rule, ...lines.map((line) => `| ${line} |`)].join('\n');
}

export function targetsTable(targets: readonly Target[], enforce: boolean): string {
  const format = (target: Target, value: number): string => (target.unit === '×' ? `${value.toFixed(2)}×` : `${value.toFixed(target.unit === 'µs' || target.unit === 'ms' ? 0 : 1)} ${target.unit}`.trim());
  const lines = targets.map((target) => {
    // A quick run's figures come from a fraction of a second of load: they judge nothing.
    const verdict = !enforce ? 'n/a (quick run)' : target.pass === undefined ? 'n/a' : target.pass ? 'PASS' : 'MISS';
    const value = target.value === undefined || Number.isNaN(target.value) ? '–'
      : !Number.isFinite(target.value) ? 'failed'
      : format(target, target.value) + (target.spread === undefined || target.spread[0] === target.spread[1] ? '' : ` (rounds ${format(target, target.spread[0])} – ${format(target, target.spread[1])})`);
    const failed = target.failures === undefined ? '' : ` — ${target.failures} failed requests`;
    return `| ${target.description}${failed} | ${value} | ${target.limit} | ${verdict} |`;
  });
  return ['| target | measured (median; lowest – highest round) | limit | result |', '|---|--:|--:|---|', ...lines].join('\n');
}
