/**
 * `aigw simulate MANIFEST [--scenario FILE] [--requests N] [--seed S] [--format text|json] [--expect EXPR…]`:
 * replays a scenario through the real engine and adapters against the recorded fixtures on a virtual
 * clock, then reports per route and target. The ink live view is drawn only on a TTY, outside CI, not
 * with --format json and not with --no-live; it is loaded lazily, and the report is the same either way.
 * Exit 0 clean, 1 when an expectation fails (or the manifest has errors), 2 on usage errors, I/O errors
 * and invalid scenario files.
 */
import type { ProviderType } from '../../runtime/adapters/contract.js';
import { MAX_MANIFEST_BYTES } from '../../runtime/manifest/read-source.js';
import type { Manifest } from '../../runtime/manifest/types.js';
import { loadFixtureIndex, type FixtureIndex } from '../../runtime/mock/fixture-index.js';
import { renderDiagnosticsJson } from '../format/diagnostics-json.js';
import { renderDiagnosticsText } from '../format/diagnostics-text.js';
import { renderSimulationJson } from '../format/simulation-json.js';
import { renderSimulationText } from '../format/simulation-text.js';
import { ExitCode, type Io } from '../io.js';
import { printUnresolvedReferences, reportManifestDiagnostics, unresolvedReferences } from '../manifest-diagnostics.js';
import { loadManifestSource, openManifestSource, specFromArgument } from '../manifest-source.js';
import { readBoundedInput } from '../read-input.js';
import { runSimulation, type SimulationEvent } from '../simulate/driver.js';
import { evaluateExpectation, ExpectationSyntaxError, parseExpectation, type Expectation } from '../simulate/expect.js';
import { checkScenario, loadScenario, type LoadedScenario, type Scenario } from '../simulate/scenario.js';
import { unsetCredentials } from '../simulate/unset-credentials.js';
import { InputError, UsageError } from '../usage-error.js';

/** A scenario file (or stdin) is at most 1 MiB, like a manifest. */
export const MAX_SCENARIO_BYTES = MAX_MANIFEST_BYTES;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = options['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}`);
  const [manifestArgument] = args;
  if (manifestArgument === undefined) throw new UsageError('simulate needs a manifest file');
  if (manifestArgument === '-' && options['scenario'] === '-') throw new UsageError('stdin (-) can be read only once: give the manifest or the scenario as a file');
  const expectations = parseExpectations(options['expect']);
  const requests = integerOption(options['requests'], '--requests', 1, 10_000_000);
  const seed = integerOption(options['seed'], '--seed', 0, 0xffff_ffff);

  const source = openManifestSource(specFromArgument(manifestArgument), io);
  const loaded = await loadManifestSource(source, io, { allowMissingEnv: options['allowMissingEnv'] !== false });
  if (loaded.manifest === undefined) {
    reportManifestDiagnostics(io, format, source.label, loaded);
    return ExitCode.Findings;
  }
  const manifest = loaded.manifest;
  const warnings = unresolvedReferences(loaded);
  printUnresolvedReferences(io, format, source.label, warnings);
  const fixtures = loadFixtureIndex();
  const scenarioFile = typeof options['scenario'] === 'string' ? options['scenario'] : undefined;
  const scenario = await readScenario(scenarioFile, manifest, fixtures, io, format);
  const { getAdapter, isAdapterBuilt } = await import('../../runtime/adapters/registry.js');
  checkReplayable(manifest, fixtures, scenario, isAdapterBuilt);
  const effective: Scenario = { ...scenario, ...(requests === undefined ? {} : { requests }), ...(seed === undefined ? {} : { seed }) };

  const live = format === 'text' && io.isTTY && io.env['CI'] !== 'true' && options['live'] !== false;
  let listener: ((event: SimulationEvent) => void) | undefined;
  let finishView: () => Promise<void> = async () => undefined;
  if (live) {
    const { mountLiveView } = await import('../views/mount-live-view.js');
    const view = mountLiveView(io, effective.requests);
    listener = view.listener;
    finishView = view.finish;
  }
  let summary;
  try {
    summary = await runSimulation({ manifest, scenario: effective, fixtures, getAdapter, ...(listener === undefined ? {} : { listener }) });
  } finally {
    await finishView();
  }
  for (const { provider, credential } of unsetCredentials(manifest, getAdapter)) {
    io.stderr.write(`warning: provider ${provider}: credential ${credential} is not set here. simulate routes as if it were; serve with this environment would skip its targets (auth_error).\n`);
  }
  const results = expectations.map((expectation) => evaluateExpectation(summary, expectation));
  io.stdout.write(format === 'json' ? renderSimulationJson(summary, results, warnings) : renderSimulationText(summary, results, { color: io.color }));
  const failed = results.filter((result) => !result.passed);
  for (const result of failed) io.stderr.write(`aigw: expectation failed: ${result.expression} (${result.message})\n`);
  return failed.length > 0 ? ExitCode.Findings : ExitCode.Ok;
}

function parseExpectations(value: unknown): Expectation[] {
  const sources = Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  try {
    return sources.map(parseExpectation);
  } catch (error) {
    if (error instanceof ExpectationSyntaxError) throw new UsageError(error.message);
    throw error;
  }
}

function integerOption(value: unknown, flag: string, minimum: number, maximum: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < minimum || number > maximum) throw new UsageError(`${flag} must be an integer from ${minimum} to ${maximum}, not ${text}`);
  return number;
}

/**
 * The scenario file (or the defaults); an invalid file prints its diagnostics and is a usage error.
 * With --format json they are the stdout document (validate's shape), as for an invalid manifest.
 */
async function readScenario(file: string | undefined, manifest: Manifest, fixtures: FixtureIndex, io: Io, format: 'text' | 'json'): Promise<Scenario> {
  let loaded: LoadedScenario;
  if (file === undefined) {
    loaded = loadScenario({ text: '', file: '<default scenario>' });
  } else {
    const bytes = await readBoundedInput(file, io, MAX_SCENARIO_BYTES);
    loaded = loadScenario({ text: bytes, file: file === '-' ? '<stdin>' : file });
  }
  const diagnostics = [...loaded.diagnostics, ...checkScenario(loaded, manifest, fixtures)];
  if (diagnostics.length > 0 || loaded.scenario === undefined) {
    if (format === 'json') io.stdout.write(renderDiagnosticsJson([{ file: loaded.file, diagnostics }]));
    else io.stderr.write(renderDiagnosticsText([{ file: loaded.file, diagnostics }], { color: io.stderrColor }));
    throw new InputError(`${loaded.file} is not a valid scenario`);
  }
  return loaded.scenario;
}

/** Every provider type the routes use needs its adapter and the answer fixtures the scenario asks for. */
function checkReplayable(manifest: Manifest, fixtures: FixtureIndex, scenario: Scenario, isAdapterBuilt: (type: ProviderType) => boolean): void {
  const types = new Set<ProviderType>();
  for (const route of manifest.routes) {
    for (const target of [...route.targets, ...(route.fallback === undefined ? [] : [route.fallback])]) {
      const entry = manifest.providers.get(target.provider);
      if (entry !== undefined) types.add(entry.type);
    }
  }
  const streams = scenario.streamFraction > 0 ? [false, true] : [false];
  const problems: string[] = [];
  for (const type of [...types].sort()) {
    if (!isAdapterBuilt(type)) {
      problems.push(`provider type ${type} has no adapter yet`);
      continue;
    }
    for (const prompt of scenario.prompts) {
      const tools = fixtures.request(prompt.value)?.tools !== undefined;
      for (const stream of streams) {
        if (fixtures.pick(type, { stream, tools }) === undefined) problems.push(`no ${tools ? 'tool-call' : 'chat'}${stream ? '-stream' : ''} fixture for ${type}`);
      }
    }
  }
  if (problems.length > 0) throw new InputError(`cannot simulate this manifest: ${problems.join('; ')}`);
}
