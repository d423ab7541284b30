/**
 * Scenario files for `aigw simulate` (schemas/scenario.schema.json): read with the manifest's YAML
 * loader (positions, duplicate keys, hostile-input bounds), checked against the schema (unknown keys
 * are errors, with line:col), then against the manifest and the fixtures (`scenario/*` rules), and
 * normalized with defaults. Pure: text in, data and diagnostics out.
 */
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import { didYouMean } from '../../runtime/lint/did-you-mean.js';
import type { Manifest } from '../../runtime/manifest/types.js';
import { makeDiagnostic } from '../../runtime/lint/make-diagnostic.js';
import { parseYaml } from '../../runtime/manifest/parse-yaml.js';
import { decodeSource } from '../../runtime/manifest/read-source.js';
import type { PositionIndex } from '../../runtime/manifest/positions.js';
import type { FixtureIndex } from '../../runtime/mock/fixture-index.js';
import type { ErrorFault, FaultRule, LatencyModel } from '../../runtime/transport/fixture-transport.js';
import { validateScenarioShape } from './scenario-schema.js';

export interface Weighted<T> { readonly value: T; readonly weight: number }

export interface Scenario {
  readonly seed: number;
  readonly requests: number;
  readonly ratePerSecond: number;
  readonly process: 'poisson' | 'uniform';
  /** Absent: the first route's match.model. */
  readonly models?: readonly Weighted<string>[];
  readonly streamFraction: number;
  readonly includeUsage: boolean;
  /** Canonical request names (fixtures/requests). */
  readonly prompts: readonly Weighted<string>[];
  readonly faults: readonly FaultRule[];
}

export const SCENARIO_DEFAULTS = { seed: 1, requests: 1000, ratePerSecond: 10 } as const;

/** The scenario rules beside the schema ones (style §I.3); ids are a contract. */
export const SCENARIO_RULES = {
  'scenario/unknown-provider': { summary: 'A fault names a provider the manifest does not have.', hint: 'Use a provider id of the manifest.' },
  'scenario/unknown-model': { summary: 'A fault names a model no target or fallback of that provider serves.', hint: 'Use a model the manifest routes to on that provider, or leave model out (every model).' },
  'scenario/unknown-request': { summary: 'A prompt names no canonical request under fixtures/requests.', hint: 'Use chat, tool-call or another file name there.' },
  'scenario/bad-window': { summary: 'An outage window ends before it starts.', hint: 'Write from < to, in simulated seconds.' },
  'scenario/missing-status': { summary: 'An error fault names neither a status nor a fixture case.', hint: 'Add status (e.g. 503) or case (e.g. error-400-context-length).' },
  'scenario/no-fixture': { summary: 'The fixtures hold no answer the scenario needs.', hint: 'Add the fixture, or change the scenario.' },
} as const;

export type ScenarioRuleId = keyof typeof SCENARIO_RULES;

export interface LoadedScenario {
  readonly scenario?: Scenario;
  readonly diagnostics: readonly Diagnostic[];
  /** For checkScenario's positions. */
  readonly positions?: PositionIndex;
  readonly file: string;
}

interface ScenarioDocument {
  seed?: number;
  requests?: number;
  arrival?: { rate_per_second?: number; process?: 'poisson' | 'uniform' };
  models?: Record<string, number>;
  stream_fraction?: number;
  include_usage?: boolean;
  prompts?: Record<string, number>;
  faults?: FaultDocument[];
}

interface FaultDocument {
  provider: string;
  model?: string;
  latency_ms?: number;
  latency?: { distribution: 'normal' | 'lognormal'; p50_ms: number; p95_ms: number };
  errors?: { status?: number; case?: string; rate: number; retry_after_ms?: number; limit?: number }[];
  resets?: number;
  hangs?: number;
  stream_cut?: { rate: number; after_chunks: number };
  stall?: { rate: number; after_chunks: number };
  outages?: { from: number; to: number; status?: number }[];
}

function scenarioDiagnostic(ruleId: ScenarioRuleId, file: string, position: { line: number; column: number }, message: string, hint?: string): Diagnostic {
  return { ruleId, severity: 'error', message, file, line: position.line, column: position.column, hint: hint ?? SCENARIO_RULES[ruleId].hint };
}

function weighted<T extends string>(record: Readonly<Record<T, number>> | undefined): Weighted<T>[] | undefined {
  if (record === undefined) return undefined;
  return (Object.entries(record) as [T, number][]).map(([value, weight]) => ({ value, weight }));
}

function normalizeFault(fault: FaultDocument): FaultRule {
  const latency: LatencyModel[] = [];
  if (fault.latency_ms !== undefined) latency.push({ kind: 'fixed', ms: fault.latency_ms });
  if (fault.latency !== undefined) latency.push({ kind: fault.latency.distribution, p50Ms: fault.latency.p50_ms, p95Ms: fault.latency.p95_ms });
  const errors: ErrorFault[] = (fault.errors ?? []).map((error) => ({
    rate: error.rate,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.case === undefined ? {} : { fixtureCase: error.case }),
    ...(error.retry_after_ms === undefined ? {} : { retryAfterMs: error.retry_after_ms }),
    ...(error.limit === undefined ? {} : { limit: error.limit }),
  }));
  return {
    provider: fault.provider,
    ...(fault.model === undefined ? {} : { model: fault.model }),
    latency,
    errors,
    resetRate: fault.resets ?? 0,
    hangRate: fault.hangs ?? 0,
    ...(fault.stream_cut === undefined ? {} : { streamCut: { rate: fault.stream_cut.rate, afterChunks: fault.stream_cut.after_chunks } }),
    ...(fault.stall === undefined ? {} : { stall: { rate: fault.stall.rate, afterChunks: fault.stall.after_chunks } }),
    outages: (fault.outages ?? []).map((window) => ({
      fromMs: window.from * 1000, toMs: window.to * 1000, ...(window.status === undefined ? {} : { status: window.status }),
    })),
  };
}

export function normalizeScenario(document: unknown): Scenario {
  // validateScenarioShape accepted it: it has the document's shape.
  const written = (document ?? {}) as ScenarioDocument;
  const models = weighted(written.models);
  return {
    seed: written.seed ?? SCENARIO_DEFAULTS.seed,
    requests: written.requests ?? SCENARIO_DEFAULTS.requests,
    ratePerSecond: written.arrival?.rate_per_second ?? SCENARIO_DEFAULTS.ratePerSecond,
    process: written.arrival?.process ?? 'poisson',
    ...(models === undefined ? {} : { models }),
    streamFraction: written.stream_fraction ?? 0,
    includeUsage: written.include_usage ?? true,
    prompts: weighted(written.prompts) ?? [{ value: 'chat', weight: 1 }],
    faults: (written.faults ?? []).map(normalizeFault),
  };
}

/** YAML → schema → normalized scenario. An empty file is the default scenario. */
/** `text` as read (bytes: checked like a manifest file, UTF-8 and no binary data) or already decoded. */
export function loadScenario(source: { readonly text: string | Uint8Array; readonly file: string }): LoadedScenario {
  const { file } = source;
  const decoded = decodeSource(source.text);
  if (!decoded.ok) {
    return { diagnostics: [makeDiagnostic(decoded.problem === 'too-large' ? 'yaml/too-large' : 'yaml/not-utf8', file, decoded.position, decoded.message)], file };
  }
  if (decoded.text.trim() === '') return { scenario: normalizeScenario({}), diagnostics: [], file };
  const parsed = parseYaml(decoded.text, file);
  if (parsed.value === undefined) return { diagnostics: parsed.diagnostics, file };
  const shape = validateScenarioShape(parsed.value, parsed.positions, file);
  if (shape.length > 0) return { diagnostics: shape, positions: parsed.positions, file };
  const faults = ((parsed.value as ScenarioDocument).faults ?? []);
  const diagnostics: Diagnostic[] = [];
  faults.forEach((fault, index) => {
    (fault.errors ?? []).forEach((error, errorIndex) => {
      if (error.status === undefined && error.case === undefined) {
        diagnostics.push(scenarioDiagnostic('scenario/missing-status', file, parsed.positions.locate(`/faults/${index}/errors/${errorIndex}`), `faults[${index}].errors[${errorIndex}] names neither status nor case`));
      }
    });
    (fault.outages ?? []).forEach((window, windowIndex) => {
      if (!(window.from < window.to)) {
        diagnostics.push(scenarioDiagnostic('scenario/bad-window', file, parsed.positions.locate(`/faults/${index}/outages/${windowIndex}`), `outage [${window.from}, ${window.to}) of ${fault.provider} is empty`));
      }
    });
  });
  if (diagnostics.length > 0) return { diagnostics, positions: parsed.positions, file };
  return { scenario: normalizeScenario(parsed.value), diagnostics: [], positions: parsed.positions, file };
}

/** Checks a loaded scenario against the manifest and the fixtures it will replay. */
export function checkScenario(loaded: LoadedScenario, manifest: Manifest, fixtures: FixtureIndex): Diagnostic[] {
  const { scenario, file } = loaded;
  if (scenario === undefined) return [];
  const locate = (pointer: string, part: 'key' | 'value' = 'value') => loaded.positions?.locate(pointer, part) ?? { line: 1, column: 1 };
  const diagnostics: Diagnostic[] = [];
  const providerIds = [...manifest.providers.keys()];
  scenario.faults.forEach((fault, index) => {
    const entry = manifest.providers.get(fault.provider);
    if (entry === undefined) {
      diagnostics.push(scenarioDiagnostic('scenario/unknown-provider', file, locate(`/faults/${index}/provider`),
        `faults[${index}] names provider "${fault.provider}", which the manifest does not have`,
        `${didYouMean(fault.provider, providerIds)}Providers in the manifest: ${providerIds.join(', ')}.`));
      return;
    }
    if (fault.model !== undefined) {
      const models = modelsOn(manifest, fault.provider);
      if (!models.includes(fault.model)) {
        diagnostics.push(scenarioDiagnostic('scenario/unknown-model', file, locate(`/faults/${index}/model`),
          `faults[${index}] names model "${fault.model}", which no target or fallback of provider ${fault.provider} serves: the fault would never apply`,
          `${didYouMean(fault.model, models)}Models on ${fault.provider}: ${models.join(', ') || 'none'}.`));
      }
    }
    fault.errors.forEach((error, errorIndex) => {
      if (error.fixtureCase !== undefined && fixtures.get(entry.type, error.fixtureCase) === undefined) {
        diagnostics.push(scenarioDiagnostic('scenario/no-fixture', file, locate(`/faults/${index}/errors/${errorIndex}/case`),
          `provider type ${entry.type} has no fixture ${error.fixtureCase}`));
      }
    });
  });
  const requestNames = fixtures.requestNames();
  for (const prompt of scenario.prompts) {
    if (fixtures.request(prompt.value) === undefined) {
      diagnostics.push(scenarioDiagnostic('scenario/unknown-request', file, locate(`/prompts/${prompt.value}`, 'key'),
        `prompt "${prompt.value}" is not a canonical request`, `${didYouMean(prompt.value, requestNames)}Known requests: ${requestNames.join(', ')}.`));
    }
  }
  return diagnostics;
}

/** The models routes send to `provider`: its targets' and fallbacks' models. */
function modelsOn(manifest: Manifest, provider: string): string[] {
  const models = new Set<string>();
  for (const route of manifest.routes) {
    for (const target of route.targets) if (target.provider === provider) models.add(target.model);
    if (route.fallback?.provider === provider) models.add(route.fallback.model);
  }
  return [...models];
}
