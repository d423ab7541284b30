/**
 * buildApp over fake parts for inject() tests: a manifest loaded with the one loader, a scripted
 * engine, the real request validator and a memory limiter; audit records collected in memory.
 */
import { realClock } from '../../../runtime/clock.js';
import type { AuditInput } from '../../../runtime/audit/record.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { createGatewayMetrics } from '../../../runtime/metrics.js';
import type { QuotaLimiter } from '../../../runtime/quota/limiter.js';
import { createMemoryLimiter } from '../../../runtime/quota/memory-limiter.js';
import type { Engine } from '../../../runtime/routing/engine.js';
import type { EngineResult, RunInput } from '../../../runtime/routing/types.js';
import { buildApp, type BuildAppOptions } from '../../../runtime/server/build-app.js';
import type { GatewayDeps } from '../../../runtime/server/gateway-deps.js';
import { createConfigHolder, createLiveConfig } from '../../../runtime/server/live-config.js';
import { createRequestValidator } from '../../../runtime/server/request-validator.js';

export const MANIFEST = `
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
`;

export function liveConfig(text: string = MANIFEST) {
  const loaded = loadManifest({ text, file: 'routes.yaml' }, { env: { OPENAI_API_KEY: 'sk-provider' } });
  if (loaded.manifest === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
  return createLiveConfig(loaded.manifest, 'v1', loaded.document, 1_767_225_600_000);
}

/** An engine that answers every run with a fixed completion (tests replace `run`). */
export function fakeEngine(run?: (input: RunInput) => Promise<EngineResult>): Engine & { inputs: RunInput[] } {
  const inputs: RunInput[] = [];
  return {
    inputs,
    run: async (input) => {
      inputs.push(input);
      if (run !== undefined) return run(input);
      return {
        requestId: input.requestId, route: input.route.name, stream: false, outcome: 'success', status: 200, attempts: [],
        provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini', durationMs: 1, malformed: 0,
        completion: {
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
        },
      };
    },
  };
}

export function testApp(options: { manifest?: string; draining?: boolean; engine?: Engine; bodyLimit?: number; quota?: QuotaLimiter; logger?: BuildAppOptions['logger']; corsOrigins?: string; requestTimeoutMs?: number } = {}) {
  const audits: AuditInput[] = [];
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  const deps: GatewayDeps = {
    config: createConfigHolder(liveConfig(options.manifest)),
    engine: options.engine ?? fakeEngine(),
    validateRequest: createRequestValidator(),
    quota: options.quota ?? createMemoryLimiter(realClock),
    metrics,
    clock: realClock,
    audit: (input) => { audits.push(input); },
  };
  const app = buildApp(deps, { bodyLimit: options.bodyLimit ?? 1024 * 1024, logger: options.logger ?? false, draining: () => options.draining === true, ...(options.corsOrigins === undefined ? {} : { corsOrigins: options.corsOrigins }), ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }) });
  return { app, audits, metrics, config: deps.config };
}
