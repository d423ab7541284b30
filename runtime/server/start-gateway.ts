/**
 * Assembles and starts a gateway: load the manifest with the one loader, build the engine with the
 * real clock, randomness and undici transport, the quota store (memory, or Redis when a URL is set),
 * the audit writer, and the Fastify app; then listen. `aigw serve` is a thin wrapper over this, and
 * end-to-end tests call it directly (real sockets, in-process).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuditWriter } from '../audit/audit-writer.js';
import { getAdapter } from '../adapters/registry.js';
import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import { describeDiagnostic, type Diagnostic } from '../lint/diagnostic.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { manifestVersion } from '../manifest/canonical.js';
import { readManifestFile } from '../manifest/read-source.js';
import type { Manifest } from '../manifest/types.js';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics.js';
import type { QuotaLimiter } from '../quota/limiter.js';
import { createEngine } from '../routing/engine.js';
import { staleCircuits } from '../routing/stale-circuits.js';
import { createTargetHealth, type CircuitEvent, type HealthOptions } from '../routing/target-health.js';
import type { RoutingTransport } from '../routing/types.js';
import type { AdminPlaneOptions, RunningAdminPlane } from '../admin/start-admin-plane.js';
import type { ConfigStore } from '../admin/config-store.js';
import { createAuditRecorder } from './audit-trace.js';
import { buildApp, REDACTED_LOG_PATHS } from './build-app.js';
import { demoOverlay } from './demo-overlay.js';
import { auditPathsOf, closeAfterAudit, closeAll, openAudit, openStores, type Closer } from './gateway-stores.js';
import { createLateLogger, type LateLogger } from './late-logger.js';
import { drainAndClose } from './lifecycle.js';
import { createHandlerTracker } from './handler-tracker.js';
import { createConfigHolder, createLiveConfig, type ConfigHolder, type LiveConfig } from './live-config.js';
import { createRequestValidator } from './request-validator.js';
import { redisKeyPrefixes, type Settings } from './settings.js';
import { absentAuditPaths, removeUnusedAuditPaths } from './startup-leftovers.js';
import { OPEN_GATEWAY_WARNING, startupWarnings } from './startup-warnings.js';

export class StartupError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(message: string, diagnostics: readonly Diagnostic[] = []) {
    super(message);
    this.name = 'StartupError';
    this.diagnostics = diagnostics;
  }
}

export interface GatewayOverrides {
  readonly clock?: Clock;
  readonly random?: Random;
  readonly transport?: RoutingTransport & { close?: () => Promise<void> };
  /** Replaces the quota store (tests); default memory, or Redis when settings.redisUrl is set. */
  readonly quota?: QuotaLimiter;
  /** pino options or false; default JSON logs at settings.logLevel to stdout. */
  readonly logger?: false | Record<string, unknown>;
  /** Circuit-breaker options (tests shorten the open period); transitions are still counted and logged. */
  readonly health?: Omit<HealthOptions, 'onTransition'>;
  /** Where the JSON log lines go instead of stdout (tests read them); the default options still apply. */
  readonly logStream?: { write(line: string): void };
  /** Time to receive a request and how often Node checks it (tests shorten both; default 60 s / 30 s). */
  readonly requestTimeout?: { readonly ms: number; readonly checkEveryMs: number };
}

export interface RunningGateway {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly config: ConfigHolder;
  readonly metrics: GatewayMetrics;
  readonly audit: AuditWriter;
  /** Set in demo mode: the in-process mock's origin. */
  readonly mockUrl?: string;
  /** The admin plane's URL, when admin keys are configured. */
  readonly adminUrl?: string;
  readonly replicaId: string;
  /** Startup warnings (open gateway, missing provider keys), already logged. */
  readonly warnings: readonly string[];
  /** Graceful: stop accepting, let in-flight requests finish (bounded), flush audit, close stores. */
  close(): Promise<{ forced: boolean }>;
  /** Loads a manifest with the one loader (and the demo overlay) into a LiveConfig, without swapping. */
  prepare(text: string | Uint8Array, file: string): { live?: LiveConfig; diagnostics: readonly Diagnostic[] };
}

export async function startGateway(settings: Settings, env: Readonly<Record<string, string | undefined>>, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const clock = overrides.clock ?? realClock;
  const manifestFile = settings.manifest;
  if (manifestFile === undefined) throw new StartupError('no manifest: pass a file (aigw serve routes.yaml) or set AIGW_MANIFEST');
  const closers: Closer[] = [];
  try {
    return await assemble(settings, env, overrides, clock, manifestFile, closers);
  } catch (error) {
    // Whatever opened before the failure closes again: a failed start leaves no socket or timer.
    await closeAll(closers);
    throw error;
  }
}

async function assemble(
  settings: Settings, env: Readonly<Record<string, string | undefined>>, overrides: GatewayOverrides,
  clock: Clock, manifestFile: string, closers: Closer[],
): Promise<RunningGateway> {
  const mockUrl = settings.demo ? await startDemoMock(closers) : undefined;
  const overlay = (manifest: Manifest): Manifest => (mockUrl === undefined ? manifest : demoOverlay(manifest, mockUrl));
  const prepare = createPreparer(env, clock, overlay);
  const logger = createLateLogger();
  const initial = await loadInitial(manifestFile, prepare, settings, clock, logger, closers);
  const config = createConfigHolder(initial.live);
  const metrics = createGatewayMetrics();
  const replicaId = settings.replicaId ?? `${hostname()}-${process.pid}`;
  const stores = await openStores({
    settings, clock, metrics, logger,
    ...(overrides.transport === undefined ? {} : { transport: overrides.transport }),
    ...(overrides.quota === undefined ? {} : { quota: overrides.quota }),
  }, closers);
  const health = createTargetHealth(clock, { ...overrides.health, onTransition: circuitTransitions(metrics, logger) });
  config.onSwap((next, previous) => health.forget(staleCircuits(previous.manifest, next.manifest)));
  const engine = createEngine({
    clock,
    random: overrides.random ?? realRandom,
    transport: stores.transport,
    getAdapter,
    health,
    limiter: stores.providerLimits,
    newCompletionId: () => `chatcmpl-${randomUUID().replaceAll('-', '')}`,
  });

  let draining = false;
  const shutdown = new AbortController();
  const handlers = createHandlerTracker();
  // Every in-flight chat request listens to it: no listener limit.
  setMaxListeners(0, shutdown.signal);
  const app = buildApp(
    {
      config,
      engine,
      validateRequest: createRequestValidator(),
      quota: stores.quota,
      metrics,
      clock,
      // The writer opens after the admin plane's first sync (below), before the port listens.
      audit: createAuditRecorder((record) => audit.enqueue(record)),
      logPrompts: settings.logPrompts,
      shutdown: shutdown.signal,
      handlers,
      readinessDetails: () => ({ audit: audit.status() }),
    },
    {
      bodyLimit: settings.bodyLimit, corsOrigins: settings.corsOrigins, logger: loggerOptions(settings, overrides), draining: () => draining,
      ...(overrides.requestTimeout === undefined ? {} : { requestTimeoutMs: overrides.requestTimeout.ms, requestTimeoutCheckMs: overrides.requestTimeout.checkEveryMs }),
    },
  );
  logger.attach(app.log);
  if (initial.invalidFile !== undefined) {
    app.log.error({ file: manifestFile, version: initial.live.version, diagnostics: initial.invalidFile.map(describeDiagnostic) },
      'the manifest file is invalid: serving the version stored in Redis (the fleet\'s) instead');
  }

  // The admin plane (signed reload, Redis config store, --watch) swaps the same holder the routes read.
  const admin = await startAdmin({
    settings, holder: config, liveText: initial.liveText, watchFile: { text: initial.fileText, version: initial.fileVersion }, env, clock, logger: app.log, replicaId,
    ...(initial.store === undefined ? {} : { store: initial.store }),
    onReload: (record) => {
      metrics.configReloads.inc({ result: record.outcome });
      // A reload that leaves the gateway open is as loud as starting open.
      if (record.outcome === 'applied' && config.current().manifest.credentials === undefined) app.log.warn(OPEN_GATEWAY_WARNING);
    },
    ...(mockUrl === undefined ? {} : { transformManifest: overlay }),
  });
  // After the admin plane's first sync: with Redis, the store's manifest (not the file) is what serves.
  const warnings = startupWarnings(config.current().manifest, mockUrl !== undefined);
  for (const warning of warnings) app.log.warn(warning);
  closers.push(() => admin.close());
  // The sinks of the manifest that serves: with Redis, the stored one's, so that a replica started
  // from an older file still audits where the fleet's manifest says.
  const serving = config.current().manifest;
  // A start that fails from here on (a port in use) removes the audit file and spool it made, while empty.
  let listening = false;
  const made = absentAuditPaths(auditPathsOf(settings, serving.audit.sinks));
  closers.push(async () => { if (!listening) await removeUnusedAuditPaths(made); });
  let audit: AuditWriter;
  try {
    audit = await openAudit({ settings, clock, metrics, logger }, serving.audit.sinks);
  } catch (error) {
    throw new StartupError(`cannot open the audit sinks (relative JSONL paths are taken from the directory of --audit-file, ${dirname(resolve(settings.auditFile))}): ${messageOf(error)}`);
  }
  // For a start that fails from here on (closeAfterAudit closes it first at shutdown; a second close is a no-op).
  closers.push(() => audit.close());
  warnOnAuditSinkChanges(config, serving, app.log);
  const url = await listen(app, settings);
  listening = true;

  let closing: Promise<{ forced: boolean }> | undefined;
  return {
    url,
    app,
    config,
    metrics,
    audit,
    ...(mockUrl === undefined ? {} : { mockUrl }),
    ...(admin.url === undefined ? {} : { adminUrl: admin.url }),
    replicaId,
    warnings,
    prepare,
    // Idempotent: SIGTERM and a test's cleanup may both ask.
    close: () => (closing ??= drainAndClose({
      apps: [app],
      drainTimeoutMs: settings.drainTimeoutMs,
      onDrainStart: () => { draining = true; },
      onDeadline: () => shutdown.abort(),
      handlersSettled: () => handlers.settled(),
      closeResources: () => closeAfterAudit(audit, closers),
    })),
  };
}

type Preparer = RunningGateway['prepare'];

/** Manifest text → LiveConfig through the one loader, with the demo overlay when there is one. */
function createPreparer(env: Readonly<Record<string, string | undefined>>, clock: Clock, overlay: (manifest: Manifest) => Manifest): Preparer {
  return (text, file) => {
    const loaded = loadManifest({ text, file }, { env });
    if (loaded.manifest === undefined) return { diagnostics: loaded.diagnostics };
    const live = createLiveConfig(overlay(loaded.manifest), manifestVersion(loaded.document), loaded.document, clock.now());
    return { live, diagnostics: loaded.diagnostics };
  };
}

interface InitialConfig {
  readonly live: LiveConfig;
  /** The text `live` was loaded from: the file's, or the stored manifest's. */
  readonly liveText: string;
  readonly fileText: string;
  /** The file's version; undefined when it is invalid. */
  readonly fileVersion: string | undefined;
  /** The file's diagnostics when it was invalid and the stored manifest serves instead. */
  readonly invalidFile?: readonly Diagnostic[];
  /** The Redis config store opened to read that manifest (the admin plane takes it over). */
  readonly store?: ConfigStore;
}

/**
 * The manifest file, or — when it is invalid and Redis holds the fleet's manifest — the stored one:
 * a replica whose ConfigMap received a broken manifest still starts (a restart or a scale-up would
 * otherwise crash-loop while the fleet serves fine), and says loudly that its file is invalid.
 */
async function loadInitial(manifestFile: string, prepare: Preparer, settings: Settings, clock: Clock, logger: LateLogger, closers: Closer[]): Promise<InitialConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readManifestFile(manifestFile);
  } catch (error) {
    throw new StartupError(`cannot read manifest ${manifestFile}: ${messageOf(error)}`);
  }
  const fileText = new TextDecoder().decode(bytes);
  const initial = prepare(bytes, manifestFile);
  if (initial.live !== undefined) return { live: initial.live, liveText: fileText, fileText, fileVersion: initial.live.version };
  const invalid = new StartupError(`manifest ${manifestFile} is invalid`, initial.diagnostics);
  if (settings.redisUrl === undefined) throw invalid;
  const { createConfigStore } = await import('../admin/config-store.js');
  const store = await createConfigStore({
    redisUrl: settings.redisUrl, prefix: redisKeyPrefixes(settings.redisPrefix).config, clock,
    logger: { info: (fields, message) => logger.log('info', message, fields), warn: (fields, message) => logger.log('warn', message, fields), error: (fields, message) => logger.log('error', message, fields) },
  });
  // Closed here if the start fails before the admin plane takes it over (closing twice is harmless).
  closers.push(() => store.close());
  const stored = await store.latest().catch(() => undefined);
  const fromStore = stored === undefined ? undefined : prepare(stored.text, `<stored ${stored.version.slice(0, 12)}>`);
  if (stored === undefined || fromStore?.live === undefined) throw invalid;
  return { live: fromStore.live, liveText: stored.text, fileText, fileVersion: undefined, invalidFile: initial.diagnostics, store };
}

async function startDemoMock(closers: Closer[]): Promise<string> {
  const { startMock } = await import('../mock/start-mock.js');
  const mock = await startMock({ port: 0, host: '127.0.0.1' });
  closers.push(() => mock.close());
  return mock.url;
}

async function startAdmin(options: AdminPlaneOptions): Promise<RunningAdminPlane> {
  try {
    const { startAdminPlane } = await import('../admin/start-admin-plane.js');
    return await startAdminPlane(options);
  } catch (error) {
    throw new StartupError(`admin plane: ${messageOf(error)}`);
  }
}

async function listen(app: FastifyInstance, settings: Settings): Promise<string> {
  try {
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    throw new StartupError(`cannot listen on ${settings.host}:${settings.port}: ${messageOf(error)}`);
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function loggerOptions(settings: Settings, overrides: GatewayOverrides): false | Record<string, unknown> {
  return overrides.logger ?? {
    level: settings.logLevel,
    redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' },
    ...(overrides.logStream === undefined ? {} : { stream: overrides.logStream }),
  };
}

/**
 * The audit sinks are opened once, at start (their spools and queues outlive any one manifest): a
 * reload that changes `audit.sinks` is live for everything else, and the log says the sinks follow
 * at the next restart rather than letting the change look applied.
 */
function warnOnAuditSinkChanges(config: ConfigHolder, started: Manifest, log: FastifyBaseLogger): void {
  const startedSinks = JSON.stringify(started.audit.sinks);
  config.onSwap((next, previous) => {
    const sinks = JSON.stringify(next.manifest.audit.sinks);
    if (sinks !== startedSinks && sinks !== JSON.stringify(previous.manifest.audit.sinks)) {
      log.warn({ version: next.version }, 'audit.sinks changed in the live manifest: records keep going to the sinks this gateway started with until it restarts');
    }
  });
}

/** Circuit transitions become a metric and a log line (design §10.8: breakers must be observable). */
function circuitTransitions(metrics: GatewayMetrics, logger: LateLogger): (event: CircuitEvent) => void {
  return (event) => {
    const fields = { provider: event.provider, model: event.model };
    if (event.type === 'circuit-open') {
      metrics.circuitOpen.inc(fields);
      logger.log('warn', 'circuit opened: target skipped while others remain', { ...fields, openMs: event.openMs });
    } else {
      logger.log('info', event.type === 'circuit-close' ? 'circuit closed' : 'circuit half-open: next request probes', fields);
    }
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { startupWarnings } from './startup-warnings.js';
