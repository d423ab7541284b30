/** Runs the real engine on the manual clock with fake adapters and a scripted transport. */
import type { ProviderAdapter, ProviderType } from '../../../runtime/adapters/contract.js';
import type { Random } from '../../../runtime/clock.js';
import type { Manifest } from '../../../runtime/manifest/types.js';
import type { ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import type { QuotaLimiter } from '../../../runtime/quota/limiter.js';
import { createEngine } from '../../../runtime/routing/engine.js';
import { createTargetHealth, type CircuitEvent, type HealthOptions, type TargetHealth } from '../../../runtime/routing/target-health.js';
import type { EngineEvent, EngineResult, StreamSink } from '../../../runtime/routing/types.js';
import { createManualClock, type ManualClock } from '../../helpers/virtual-clock.js';
import { createFakeAdapter, createScriptedTransport, type Reply, type ScriptedTransport } from './fakes.js';

/** A Random that returns the given draws in turn (then repeats the last). */
export function draws(...values: number[]): Random {
  let index = 0;
  return { next: () => values[Math.min(index++, values.length - 1)] ?? 0 };
}

export interface Harness {
  readonly clock: ManualClock;
  readonly transport: ScriptedTransport;
  readonly health: TargetHealth;
  readonly events: EngineEvent[];
  readonly circuits: CircuitEvent[];
  run(request: ChatCompletionRequest, options?: { sink?: StreamSink; signal?: AbortSignal; onAbortable?: (abort: () => void) => void; routeIndex?: number }): Promise<EngineResult>;
  /** Starts a run without driving the clock (for abort tests). */
  start(request: ChatCompletionRequest, options?: { sink?: StreamSink; signal?: AbortSignal; onAbortable?: (abort: () => void) => void }): Promise<EngineResult>;
}

export function harness(options: {
  manifest: Manifest;
  script: Parameters<typeof createScriptedTransport>[1];
  adapters?: Partial<Record<ProviderType, ProviderAdapter>>;
  random?: Random;
  limiter?: QuotaLimiter;
  health?: HealthOptions;
  requireCredentials?: boolean;
  /** Default: chatcmpl-1, chatcmpl-2, … */
  newCompletionId?: () => string;
}): Harness {
  const clock = createManualClock();
  const transport = createScriptedTransport(clock, options.script);
  const events: EngineEvent[] = [];
  const circuits: CircuitEvent[] = [];
  const health = createTargetHealth(clock, { ...options.health, onTransition: (event) => circuits.push(event) });
  const adapters = new Map<ProviderType, ProviderAdapter>();
  const getAdapter = (type: ProviderType): ProviderAdapter => {
    const given = options.adapters?.[type];
    if (given !== undefined) return given;
    let adapter = adapters.get(type);
    if (adapter === undefined) {
      adapter = createFakeAdapter(type, { supportsPrefill: type === 'anthropic' || type === 'ollama' });
      adapters.set(type, adapter);
    }
    return adapter;
  };
  let ids = 0;
  const engine = createEngine({
    clock,
    random: options.random ?? draws(0),
    transport,
    getAdapter,
    health,
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
    newCompletionId: options.newCompletionId ?? (() => `chatcmpl-${++ids}`),
    listener: (event) => events.push(event),
    requireCredentials: options.requireCredentials ?? false,
  });
  const start: Harness['start'] = (request, runOptions = {}) => {
    const route = options.manifest.routes[0];
    if (route === undefined) throw new Error('no route');
    return engine.run({
      manifest: options.manifest,
      route,
      request,
      ...(runOptions.sink === undefined ? {} : { sink: runOptions.sink }),
      ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
      ...(runOptions.onAbortable === undefined ? {} : { onAbortable: runOptions.onAbortable }),
    });
  };
  return {
    clock,
    transport,
    health,
    events,
    circuits,
    start,
    async run(request, runOptions = {}) {
      const pending = start(request, runOptions);
      await clock.runAll();
      return pending;
    },
  };
}

export type { Reply };
