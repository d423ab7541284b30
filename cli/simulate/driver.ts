/**
 * The simulation: seeded arrivals → the real routing engine, the real adapters and the fixture
 * transport with injected faults, all on one discrete-event clock. It emits typed events (the engine's
 * own, the circuit breakers', `request-unmatched`, `run-start`, `run-end`) for the statistics and the
 * live view; it knows nothing of either.
 * Randomness comes in separate seeded streams (engine picks, arrivals, request mix, faults), so adding
 * a fault does not reshuffle the arrivals.
 */
import type { ProviderAdapter, ProviderType } from '../../runtime/adapters/contract.js';
import { seededRandom, type Random } from '../../runtime/clock.js';
import { AigwError } from '../../runtime/errors.js';
import type { Manifest } from '../../runtime/manifest/types.js';
import type { FixtureIndex } from '../../runtime/mock/fixture-index.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import { createMemoryLimiter } from '../../runtime/quota/memory-limiter.js';
import { createEngine } from '../../runtime/routing/engine.js';
import { matchRoute } from '../../runtime/routing/match-route.js';
import { createTargetHealth } from '../../runtime/routing/target-health.js';
import type { StreamSink } from '../../runtime/routing/types.js';
import { createFixtureTransport } from '../../runtime/transport/fixture-transport.js';
import type { Scenario, Weighted } from './scenario.js';
import { createStatistics, type SimulationSummary, type StatisticsEvent } from './statistics.js';
import { createVirtualScheduler, type VirtualScheduler } from './virtual-scheduler.js';

export type SimulationEvent =
  | StatisticsEvent
  | { readonly type: 'run-start'; readonly total: number; readonly seed: number }
  /** A request arrives (its virtual time: the live view's clock). */
  | { readonly type: 'request-arrival'; readonly index: number; readonly at: number }
  | { readonly type: 'run-end'; readonly summary: SimulationSummary };

export interface SimulationInput {
  readonly manifest: Manifest;
  readonly scenario: Scenario;
  readonly fixtures: FixtureIndex;
  readonly getAdapter: (type: ProviderType) => ProviderAdapter;
  readonly listener?: (event: SimulationEvent) => void;
  /** The virtual clock to run on (tests read it from the listener); a fresh one by default. */
  readonly clock?: VirtualScheduler;
}

/** Offsets that derive the independent random streams from the one seed. */
const STREAMS = { engine: 0, arrivals: 0x51ed27, mix: 0x2545f491, faults: 0x6c8e9cf5 } as const;

function streamRandom(seed: number, offset: number): Random {
  return seededRandom((seed + offset) >>> 0);
}

function pick<T>(choices: readonly Weighted<T>[], draw: number): T {
  const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
  let threshold = draw * total;
  for (const choice of choices) {
    if (threshold < choice.weight) return choice.value;
    threshold -= choice.weight;
  }
  return (choices.at(-1) as Weighted<T>).value;
}

/**
 * The real adapters, with `buildRequest` remembered per (request, target, prefill): the simulator sends
 * the same few canonical requests to the same targets a hundred thousand times, and the contract makes
 * translation deterministic (same input, same body), so translating each pair once is exact. Answers
 * (parseResponse, stream translation, errors) are translated every time.
 */
function rememberTranslations(getAdapter: (type: ProviderType) => ProviderAdapter): (type: ProviderType) => ProviderAdapter {
  const adapters = new Map<ProviderType, ProviderAdapter>();
  return (type) => {
    let adapter = adapters.get(type);
    if (adapter !== undefined) return adapter;
    const real = getAdapter(type);
    const built = new WeakMap<object, Map<string, ReturnType<ProviderAdapter['buildRequest']>>>();
    adapter = {
      ...real,
      buildRequest(request, target, options) {
        let byTarget = built.get(request);
        if (byTarget === undefined) {
          byTarget = new Map();
          built.set(request, byTarget);
        }
        // Only a continuation has options (its prefill differs every time): never remembered.
        if (options !== undefined) return real.buildRequest(request, target, options);
        const key = `${target.providerId}\n${target.model}\n${String(target.dropParams)}`;
        let result = byTarget.get(key);
        if (result === undefined) {
          result = real.buildRequest(request, target, options);
          byTarget.set(key, result);
        }
        return result;
      },
    };
    adapters.set(type, adapter);
    return adapter;
  };
}

/** Stream output goes nowhere: the engine's result carries all the statistics need. */
const NULL_SINK: StreamSink = { start: () => undefined, write: () => undefined, end: () => undefined, error: () => undefined };

export async function runSimulation(input: SimulationInput): Promise<SimulationSummary> {
  const { manifest, scenario, fixtures } = input;
  const clock = input.clock ?? createVirtualScheduler();
  const statistics = createStatistics(manifest);
  const emit = (event: SimulationEvent): void => {
    if (event.type !== 'run-start' && event.type !== 'run-end' && event.type !== 'request-arrival') statistics.add(event);
    input.listener?.(event);
  };
  const engine = createEngine({
    clock,
    random: streamRandom(scenario.seed, STREAMS.engine),
    transport: createFixtureTransport({ clock, random: streamRandom(scenario.seed, STREAMS.faults), fixtures, faults: scenario.faults }),
    getAdapter: rememberTranslations(input.getAdapter),
    health: createTargetHealth(clock, { onTransition: emit }),
    limiter: createMemoryLimiter(clock),
    newCompletionId: (() => {
      let next = 0;
      return () => `chatcmpl-sim${(next += 1).toString(36)}`;
    })(),
    listener: emit,
    requireCredentials: false,
  });

  const models = scenario.models ?? [{ value: manifest.routes[0]?.match.model ?? '', weight: 1 }];
  const mix = streamRandom(scenario.seed, STREAMS.mix);
  const arrivals = streamRandom(scenario.seed, STREAMS.arrivals);
  // The few (prompt, model, stream) requests, built once: the same object every time also lets the
  // translation cache below recognise it.
  const requests = new Map<string, Map<string, [ChatCompletionRequest | undefined, ChatCompletionRequest | undefined]>>();
  const requestFor = (model: string, prompt: string, stream: boolean): ChatCompletionRequest => {
    let byModel = requests.get(prompt);
    if (byModel === undefined) {
      byModel = new Map();
      requests.set(prompt, byModel);
    }
    let pair = byModel.get(model);
    if (pair === undefined) {
      pair = [undefined, undefined];
      byModel.set(model, pair);
    }
    let request = pair[stream ? 1 : 0];
    if (request === undefined) {
      const base = fixtures.request(prompt);
      if (base === undefined) throw new Error(`no canonical request "${prompt}"`);
      const { stream: _stream, stream_options: _options, ...rest } = base;
      request = stream
        ? { ...rest, model, stream: true, ...(scenario.includeUsage ? { stream_options: { include_usage: true } } : {}) }
        : { ...rest, model };
      pair[stream ? 1 : 0] = request;
    }
    return request;
  };

  const total = scenario.requests;
  let finished = 0;
  let failure: unknown;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { resolveDone = resolve; });
  const settle = (): void => {
    finished += 1;
    if (finished === total) resolveDone();
  };
  const launch = (index: number): void => {
    if (input.listener !== undefined) emit({ type: 'request-arrival', index, at: clock.monotonic() });
    const model = pick(models, mix.next());
    const prompt = pick(scenario.prompts, mix.next());
    const stream = scenario.streamFraction > 0 && mix.next() < scenario.streamFraction;
    const route = matchRoute(manifest, model);
    if (route instanceof AigwError) {
      emit({ type: 'request-unmatched', model, at: clock.monotonic() });
      settle();
      return;
    }
    void engine.run({
      manifest,
      route,
      request: requestFor(model, prompt, stream),
      requestId: String(index),
      ...(stream ? { sink: NULL_SINK } : {}),
    }).then(settle, (error: unknown) => { failure ??= error; settle(); });
  };

  emit({ type: 'run-start', total, seed: scenario.seed });
  const gapMs = 1000 / scenario.ratePerSecond;
  const arrive = async (): Promise<void> => {
    for (let index = 0; index < total; index += 1) {
      if (index > 0) {
        const gap = scenario.process === 'uniform' ? gapMs : -Math.log(1 - arrivals.next()) * gapMs;
        await clock.sleep(gap);
      }
      launch(index);
    }
  };
  await clock.runUntil(Promise.all([arrive(), done]));
  if (failure !== undefined) throw failure;
  const summary = statistics.summary(scenario.seed, clock.monotonic());
  emit({ type: 'run-end', summary });
  return summary;
}
