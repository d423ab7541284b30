/**
 * `aigw serve [MANIFEST]`: settings from flags and AIGW_* (runtime/server/settings.ts), then the
 * gateway runs until SIGTERM/SIGINT, drains, and the command returns 0. Fastify, undici and the
 * audit sinks are loaded here only (the CLI's other commands never pay for them).
 */
import type { Io } from '../io.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  // First: this process now serves, and the collector's defaults cost held streams dearly (see there).
  const { tuneGarbageCollectorForServing } = await import('../../runtime/server/gc-tuning.js');
  tuneGarbageCollectorForServing();
  const { resolveSettings, SettingsError } = await import('../../runtime/server/settings.js');
  let settings;
  try {
    settings = resolveSettings(options, io.env, args[0]);
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message);
    throw error;
  }
  const { startGateway, StartupError } = await import('../../runtime/server/start-gateway.js');
  let gateway;
  try {
    // JSON logs go through the command's Io like all its output (stdout of the process in production).
    gateway = await startGateway(settings, io.env, { logStream: io.stdout });
  } catch (error) {
    if (error instanceof StartupError) {
      io.stderr.write(`aigw serve: ${error.message}\n`);
      if (error.diagnostics.length > 0) {
        const { renderDiagnosticsText } = await import('../format/diagnostics-text.js');
        io.stderr.write(renderDiagnosticsText([{ file: settings.manifest ?? '', diagnostics: error.diagnostics }], { color: io.stderrColor }));
        return ExitCode.Findings;
      }
      return ExitCode.Usage;
    }
    throw error;
  }
  const models = gateway.config.current().manifest.routes.map((route) => route.match.model);
  io.stderr.write(options['format'] === 'json'
    ? `${JSON.stringify({ event: 'listening', url: gateway.url, ...(gateway.mockUrl === undefined ? {} : { mockUrl: gateway.mockUrl }), ...(gateway.adminUrl === undefined ? {} : { adminUrl: gateway.adminUrl }), models })}\n`
    : banner(gateway.url, gateway.mockUrl, gateway.adminUrl, models, gateway.warnings));
  if (io.shutdown.aborted) return finish(await gateway.close(), io);
  await new Promise<void>((resolve) => io.shutdown.addEventListener('abort', () => resolve(), { once: true }));
  io.stderr.write('aigw serve: draining in-flight requests…\n');
  return finish(await gateway.close(), io);
}

function finish(result: { forced: boolean }, io: Io): ExitCode {
  io.stderr.write(result.forced ? 'aigw serve: drain timeout reached; remaining connections were closed\n' : 'aigw serve: stopped cleanly\n');
  return ExitCode.Ok;
}

/** Models named in the banner before the rest are counted (a manifest may route thousands). */
const BANNER_MODELS = 20;

function listed(models: readonly string[]): string {
  if (models.length <= BANNER_MODELS) return models.join(', ');
  return `${models.slice(0, BANNER_MODELS).join(', ')} and ${models.length - BANNER_MODELS} more (GET /v1/models lists them all)`;
}

function banner(url: string, mockUrl: string | undefined, adminUrl: string | undefined, models: readonly string[], warnings: readonly string[]): string {
  const lines = [
    ...warnings.map((warning) => `WARNING: ${warning}`),
    `aigw gateway listening on ${url}  (OpenAI-compatible: ${url}/v1)`,
    ...(mockUrl === undefined ? [] : [`demo mode: every provider is the built-in mock at ${mockUrl}`]),
    ...(adminUrl === undefined ? [] : [`admin plane (signed requests only): ${adminUrl}`]),
    `models: ${listed(models)}`,
    `try: curl ${url}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"${models[0] ?? 'gpt-4o-mini'}","messages":[{"role":"user","content":"Hello"}]}'`,
    '',
  ];
  return lines.join('\n');
}
