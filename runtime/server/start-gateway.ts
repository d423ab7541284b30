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
import type { FastifyInstance } from 'fastify';
import { createAuditSinks, createAuditWriter, type AuditWriter } from '../audit/audit-writer.js';
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';
import { getAdapter } from '../adapters/registry.js';
import { realClock, realRandom, type Clock, type Random } from '../clock.js';
import type { Diagnostic } from '../lint/diagnostic.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { manifestVersion } from '../manifest/canonical.js';
import { readManifestFile } from '../manifest/read-source.js';
import type { Manifest } from '../manifest/types.js';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics.js';
import type { QuotaLimiter } from '../quota/limiter.js';
import { createMemoryLimiter } from '../quota/memory-limiter.js';
import { createEngine } from '../routing/engine.js';
import { createTargetHealth, type CircuitEvent, type HealthOptions } from '../routing/target-health.js';
import type { RoutingTransport } from '../routing/types.js';
import { createUndiciTransport } from '../transport/undici-transport.js';
import type { RunningAdminPlane } from '../admin/start-admin-plane.js';
import { createAuditRecorder } from './audit-trace.js';
import { buildApp, REDACTED_LOG_PATHS } from './build-app.js';
import { demoOverlay } from './demo-overlay.js';
import { drainAndClose } from './lifecycle.js';
import { createConfigHolder, createLiveConfig, type ConfigHolder, type LiveConfig } from './live-config.js';
import { createRequestValidator } from './request-validator.js';
import type { Settings } from './settings.js';

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

  const closers: (() => Promise<void>)[] = [];
  let mockUrl: string | undefined;
  if (settings.demo) {
    const { startMock } = await import('../mock/start-mock.js');
    const mock = await startMock({ port: 0, host: '127.0.0.1' });
    mockUrl = mock.url;
    closers.push(() => mock.close());
  }
  const overlay = (manifest: Manifest): Manifest => (mockUrl === undefined ? manifest : demoOverlay(manifest, mockUrl));
  const prepare = (text: string | Uint8Array, file: string): { live?: LiveConfig; diagnostics: readonly Diagnostic[] } => {
    const loaded = loadManifest({ text, file }, { env });
    if (loaded.manifest === undefined) return { diagnostics: loaded.diagnostics };
    const live = createLiveConfig(overlay(loaded.manifest), manifestVersion(loaded.document), loaded.document, clock.now());
    return { live, diagnostics: loaded.diagnostics };
  };

  let bytes: Uint8Array;
  try {
    bytes = await readManifestFile(manifestFile);
  } catch (error) {
    await closeAll(closers);
    throw new StartupError(`cannot read manifest ${manifestFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const initial = prepare(bytes, manifestFile);
  if (initial.live === undefined) {
    await closeAll(closers);
    throw new StartupError(`manifest ${manifestFile} is invalid`, initial.diagnostics);
  }
  const config = createConfigHolder(initial.live);
  const metrics = createGatewayMetrics();
  const replicaId = settings.replicaId ?? `${hostname()}-${process.pid}`;

  const transport = overrides.transport ?? createUndiciTransport({ clock });
  closers.push(async () => transport.close?.());
  // The app (and its logger) comes later; store-error warnings go through this late-bound function.
  let warn: (fields: Readonly<Record<string, unknown>>, message: string) => void = () => {};
  let auditLog: (level: 'info' | 'warn' | 'error', message: string, fields: Readonly<Record<string, unknown>>) => void = () => {};
  const quota = overrides.quota ?? (settings.redisUrl === undefined
    ? createMemoryLimiter(clock)
    : await redisQuota(settings, metrics, (message, fields) => warn(fields, message)));
  closers.push(() => quota.close());
  const providerLimits = createMemoryLimiter(clock);
  closers.push(() => providerLimits.close());

  const sinkConfigs = initial.live.manifest.audit.sinks.length > 0
    ? initial.live.manifest.audit.sinks
    : [{ type: 'jsonl' as const, path: settings.auditFile }];
  const audit = await createAuditWriter({
    sinks: await createAuditSinks(sinkConfigs),
    spoolDirectory: resolve(dirname(resolve(settings.auditFile)), '.aigw-spool'),
    metrics: metrics.registry,
    // Sink failures, recoveries and lost records must be loud (issue 6): late-bound to the app's logger.
    log: (level, message, fields) => auditLog(level, message, fields),
  });
  const recordAudit = createAuditRecorder((record) => audit.enqueue(record));

  let circuitLog: (event: CircuitEvent) => void = () => {};
  const engine = createEngine({
    clock,
    random: overrides.random ?? realRandom,
    transport,
    getAdapter,
    health: createTargetHealth(clock, { ...overrides.health, onTransition: (event) => circuitLog(event) }),
    limiter: providerLimits,
    newCompletionId: () => `chatcmpl-${randomUUID().replaceAll('-', '')}`,
  });

  let draining = false;
  const shutdown = new AbortController();
  // Every in-flight chat request listens to it: no listener limit.
  setMaxListeners(0, shutdown.signal);
  let closing: Promise<{ forced: boolean }> | undefined;
  const app = buildApp(
    {
      config,
      engine,
      validateRequest: createRequestValidator(),
      quota,
      metrics,
      clock,
      audit: recordAudit,
      logPrompts: settings.logPrompts,
      shutdown: shutdown.signal,
      readinessDetails: () => ({ audit: audit.status() }),
    },
    {
      bodyLimit: settings.bodyLimit,
      logger: overrides.logger ?? {
        level: settings.logLevel,
        redact: { paths: [...REDACTED_LOG_PATHS], censor: '[redacted]' },
        ...(overrides.logStream === undefined ? {} : { stream: overrides.logStream }),
      },
      draining: () => draining,
    },
  );
  warn = (fields, message) => app.log.warn(fields, message);
  circuitLog = (event) => {
    const fields = { provider: event.provider, model: event.model };
    if (event.type === 'circuit-open') {
      metrics.circuitOpen.inc(fields);
      app.log.warn({ ...fields, openMs: event.openMs }, 'circuit opened: target skipped while others remain');
    } else {
      app.log.info(fields, event.type === 'circuit-close' ? 'circuit closed' : 'circuit half-open: next request probes');
    }
  };
  auditLog = (level, message, fields) => app.log[level](fields, message);
  const warnings = startupWarnings(initial.live.manifest, mockUrl !== undefined);
  for (const warning of warnings) app.log.warn(warning);

  // The admin plane (signed reload, Redis config store, --watch) swaps the same holder the routes read.
  let admin: RunningAdminPlane;
  try {
    const { startAdminPlane } = await import('../admin/start-admin-plane.js');
    admin = await startAdminPlane({
      settings,
      holder: config,
      liveText: new TextDecoder().decode(bytes),
      env,
      clock,
      logger: app.log,
      replicaId,
      ...(mockUrl === undefined ? {} : { transformManifest: overlay }),
    });
  } catch (error) {
    await closeAll(closers);
    throw new StartupError(`admin plane: ${error instanceof Error ? error.message : String(error)}`);
  }
  closers.push(() => admin.close());

  try {
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await closeAll(closers);
    throw new StartupError(`cannot listen on ${settings.host}:${settings.port}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
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
      closeResources: async () => {
        await audit.close();
        await closeAll(closers);
      },
    })),
  };
}

async function redisQuota(
  settings: Settings, metrics: GatewayMetrics, log: (message: string, fields: Readonly<Record<string, unknown>>) => void,
): Promise<QuotaLimiter> {
  const { createRedisLimiter } = await import('../quota/redis-limiter.js');
  return createRedisLimiter({ url: settings.redisUrl as string, onStoreError: settings.quotaOnStoreError, metrics: metrics.registry, log });
}

async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch {
      // Closing is best effort at shutdown; one failing store must not keep the others open.
    }
  }
}

/** The loud warnings of design §2 and §5: an open gateway, provider keys that are not set. */
export function startupWarnings(manifest: Manifest, demo: boolean): string[] {
  const warnings: string[] = [];
  if (manifest.credentials === undefined) {
    warnings.push('OPEN GATEWAY: the manifest has no credentials, so anyone who can reach this port can spend your provider budget. Add a credentials: block before exposing it.');
  }
  if (demo) return warnings;
  for (const entry of manifest.providers.values()) {
    const expected = PROVIDER_DEFAULTS[entry.type].credentialEnv;
    if (Object.keys(expected).length === 0) continue;
    const present = Object.values(entry.credentials).some((secret) => secret.present);
    if (!present) {
      const names = Object.values(entry.credentials).map((secret) => secret.masked).join(' or ');
      warnings.push(`provider '${entry.id}' has no credential set (${names === '' ? 'none configured' : names}): its targets will fail over`);
    }
  }
  return warnings;
}
