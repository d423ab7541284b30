/**
 * The simulator's transport: answers each attempt from the recorded provider fixtures, on the injected
 * (virtual) clock, at the fixtures' own offsets plus injected faults — added latency (fixed, normal or
 * lognormal from p50/p95), error answers by status (the provider's own error fixture, with its retry
 * headers), connection resets, hangs, streams cut or stalled after N chunks, and outage windows.
 * The engine and the real adapters see exactly the bytes a provider would send.
 */
import type { NativeRequest, ProviderType } from '../adapters/contract.js';
import type { Clock, Random } from '../clock.js';
import type { FixtureIndex } from '../mock/fixture-index.js';
import { fixtureWire, type FixtureWire, type WireChunk } from '../mock/fixture-wire.js';
import { startTimer } from '../timers.js';
import { TransportError, type TransportResponse } from './transport.js';
import type { StopSignal } from '../stop-signal.js';

export type LatencyModel =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'normal' | 'lognormal'; readonly p50Ms: number; readonly p95Ms: number };

export interface ErrorFault {
  /** The status to answer with (its `error-<status>` fixture); or give `fixtureCase`. */
  readonly status?: number;
  /** A specific error fixture, e.g. `error-400-context-length` (its own status is used). */
  readonly fixtureCase?: string;
  /** Probability per call, 0..1. */
  readonly rate: number;
  /** Overrides the fixture's retry headers (sent as retry-after, in whole seconds, and retry-after-ms). */
  readonly retryAfterMs?: number;
  /** At most this many injected answers over the run. */
  readonly limit?: number;
  /** A native error body to send instead of the provider's error fixture. */
  readonly body?: string;
}

export interface FaultRule {
  readonly provider: string;
  /** Absent: every model of the provider. */
  readonly model?: string;
  readonly latency: readonly LatencyModel[];
  readonly errors: readonly ErrorFault[];
  readonly resetRate: number;
  readonly hangRate: number;
  readonly streamCut?: { readonly rate: number; readonly afterChunks: number };
  readonly stall?: { readonly rate: number; readonly afterChunks: number };
  /** Simulated milliseconds since the start of the run; `status` absent = connection refused. */
  readonly outages: readonly { readonly fromMs: number; readonly toMs: number; readonly status?: number }[];
}

export interface FixtureTransportOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly fixtures: FixtureIndex;
  readonly faults: readonly FaultRule[];
}

/** z-score of the 95th percentile of a standard normal distribution. */
const Z95 = 1.6448536269514722;
const encoder = new TextEncoder();

export interface FixtureTransportTarget {
  readonly providerId: string;
  readonly providerType: ProviderType;
  readonly model: string;
}

export interface FixtureTransport {
  send(request: NativeRequest, signal: StopSignal, target?: FixtureTransportTarget): Promise<TransportResponse>;
}

export function createFixtureTransport(options: FixtureTransportOptions): FixtureTransport {
  const { clock, random, fixtures } = options;
  const used = new Map<ErrorFault, number>();
  const toolsByBody = new Map<string, boolean>();
  const rulesByTarget = new Map<string, readonly FaultRule[]>();
  const rulesFor = (target: FixtureTransportTarget): readonly FaultRule[] => {
    const key = `${target.providerId}/${target.model}`;
    let rules = rulesByTarget.get(key);
    if (rules === undefined) {
      rules = options.faults.filter((rule) => rule.provider === target.providerId && (rule.model === undefined || rule.model === target.model));
      rulesByTarget.set(key, rules);
    }
    return rules;
  };

  const gaussian = (): number => {
    // Box–Muller on the seeded Random; 1 - u keeps log() away from 0.
    const u = 1 - random.next();
    const v = random.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const sampleLatency = (model: LatencyModel): number => {
    switch (model.kind) {
      case 'fixed':
        return model.ms;
      case 'normal':
        return Math.max(0, model.p50Ms + gaussian() * ((model.p95Ms - model.p50Ms) / Z95));
      case 'lognormal': {
        const mu = Math.log(Math.max(model.p50Ms, 1e-3));
        const sigma = Math.max(0, (Math.log(Math.max(model.p95Ms, 1e-3)) - mu) / Z95);
        return Math.exp(mu + sigma * gaussian());
      }
      default: {
        const never: never = model;
        return never;
      }
    }
  };
  const roll = (rate: number): boolean => rate > 0 && random.next() < rate;

  const hasTools = (body: string): boolean => {
    let known = toolsByBody.get(body);
    if (known === undefined) {
      // Every provider names its tool list `tools`, except Bedrock's `toolConfig`.
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        known = parsed['tools'] !== undefined || parsed['toolConfig'] !== undefined;
      } catch {
        known = false;
      }
      if (toolsByBody.size > 1024) toolsByBody.clear();
      toolsByBody.set(body, known);
    }
    return known;
  };

  const errorWire = (target: FixtureTransportTarget, fault: Omit<ErrorFault, 'rate'>): FixtureWire => {
    const fixture = fault.fixtureCase !== undefined ? fixtures.get(target.providerType, fault.fixtureCase)
      : fault.status === undefined ? undefined : fixtures.error(target.providerType, fault.status);
    const status = fault.status ?? fixture?.response.status ?? 500;
    const base: FixtureWire = fixture === undefined || fault.body !== undefined
      ? {
        status,
        headers: { 'content-type': 'application/json' },
        headersAtMs: 0,
        body: encoder.encode(fault.body ?? JSON.stringify({ error: { message: `simulated ${status}`, type: 'server_error', param: null, code: null } })),
      }
      // An injected error answers at once (plus the scenario's added latency): the fault says "this
      // call fails with that status", and the recorded error's own timing would turn it into a
      // latency failure wherever max_latency_ms is shorter.
      : { ...fixtureWire(fixture, target.model), headersAtMs: 0 };
    if (fault.retryAfterMs === undefined) return base;
    return {
      ...base,
      headers: { ...base.headers, 'retry-after': String(Math.ceil(fault.retryAfterMs / 1000)), 'retry-after-ms': String(fault.retryAfterMs) },
    };
  };

  return {
    async send(request, signal, target) {
      if (target === undefined) throw new TypeError('the fixture transport needs the attempt target');
      const startedAt = clock.monotonic();
      const rules = rulesFor(target);
      let extra = 0;
      for (const rule of rules) for (const model of rule.latency) extra += sampleLatency(model);

      for (const rule of rules) {
        const outage = rule.outages.find((window) => startedAt >= window.fromMs && startedAt < window.toMs);
        if (outage !== undefined) {
          if (outage.status === undefined) {
            throw new TransportError('connect ECONNREFUSED (simulated outage)', { failure: 'connect', code: 'ECONNREFUSED', beforeResponse: true });
          }
          return respondWith(clock, signal, startedAt, errorWire(target, { status: outage.status }), extra, undefined);
        }
      }
      for (const rule of rules) {
        if (roll(rule.resetRate)) {
          await wait(clock, signal, extra);
          throw new TransportError('socket hang up (simulated)', { failure: 'reset', code: 'ECONNRESET', beforeResponse: true });
        }
        if (roll(rule.hangRate)) return hangUntilAborted(signal);
        for (const fault of rule.errors) {
          const count = used.get(fault) ?? 0;
          if (fault.limit !== undefined && count >= fault.limit) continue;
          if (!roll(fault.rate)) continue;
          used.set(fault, count + 1);
          return respondWith(clock, signal, startedAt, errorWire(target, fault), extra, undefined);
        }
      }

      const stream = request.stream !== false;
      const fixture = fixtures.pick(target.providerType, { stream, tools: hasTools(request.body) });
      if (fixture === undefined) {
        throw new Error(`no ${stream ? 'stream ' : ''}fixture for provider type ${target.providerType}`);
      }
      let breakage: Breakage | undefined;
      for (const rule of rules) {
        if (rule.streamCut !== undefined && roll(rule.streamCut.rate)) breakage = { after: rule.streamCut.afterChunks, how: 'cut' };
        else if (rule.stall !== undefined && roll(rule.stall.rate)) breakage = { after: rule.stall.afterChunks, how: 'stall' };
      }
      return respondWith(clock, signal, startedAt, fixtureWire(fixture, target.model), extra, breakage);
    },
  };
}

interface Breakage {
  readonly after: number;
  readonly how: 'cut' | 'stall';
}

function hangUntilAborted(signal: StopSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/**
 * Waits on the clock unless the attempt is already aborted. There is no socket to release here, and
 * the engine stops waiting on an abort by itself, so a wait in progress is simply left to expire:
 * that spares an abort listener per answer, a real cost at a hundred thousand simulated requests.
 */
function wait(clock: Clock, signal: StopSignal, ms: number): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    startTimer(clock, ms, resolve);
  });
}

/** The answer's head at its time (after `delay`), and a body that replays the chunks at theirs. */
async function respondWith(clock: Clock, signal: StopSignal, startedAt: number, wire: FixtureWire, delay: number,
  broken: Breakage | undefined): Promise<TransportResponse> {
  const origin = startedAt + delay;
  await wait(clock, signal, origin + wire.headersAtMs - clock.monotonic());
  if (wire.body !== undefined) return { status: wire.status, headers: wire.headers, body: whole(wire.body) };
  return { status: wire.status, headers: wire.headers, body: replay(clock, signal, wire, origin, broken) };
}

/** A non-stream body, all there once the head is: one chunk, without an async generator's machinery. */
function whole(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      let sent = false;
      return {
        next(): Promise<IteratorResult<Uint8Array>> {
          if (sent) return Promise.resolve({ value: undefined, done: true });
          sent = true;
          return Promise.resolve({ value: bytes, done: false });
        },
        return(): Promise<IteratorResult<Uint8Array>> {
          sent = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

/**
 * A streamed body that hands out each chunk at its time. Hand-written rather than an async generator:
 * one promise per chunk is all it costs. Reading after an abort rejects with the abort reason.
 */
function replay(clock: Clock, signal: StopSignal, wire: FixtureWire, origin: number, broken: Breakage | undefined): AsyncIterable<Uint8Array> {
  const chunks: readonly WireChunk[] = wire.chunks ?? [];
  let index = 0;
  let finished = false;
  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      if (finished || index >= chunks.length) {
        finished = true;
        return Promise.resolve({ value: undefined, done: true });
      }
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      if (broken !== undefined && index >= broken.after) {
        finished = true;
        if (broken.how === 'stall') return hangUntilAborted(signal);
        return Promise.reject(new TransportError('other side closed (simulated cut)', { failure: 'body', code: 'UND_ERR_SOCKET', beforeResponse: false }));
      }
      const chunk = chunks[index] as WireChunk;
      index += 1;
      const value: IteratorResult<Uint8Array> = { value: chunk.bytes, done: false };
      const due = origin + chunk.atMs - clock.monotonic();
      return due <= 0 ? Promise.resolve(value) : wait(clock, signal, due).then(() => value);
    },
    return() {
      finished = true;
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
