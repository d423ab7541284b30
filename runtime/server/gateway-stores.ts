/**
 * The gateway's stateful parts, opened in order and closed in reverse: the upstream transport, the
 * credential quota store (memory, or Redis when a URL is set) and the provider-limit store (that same
 * Redis store when there is one); then, once the serving manifest is known, the audit writer with its
 * sinks (openAudit). Each one pushes its closer as soon as it is open, so a failure half-way through
 * startup still closes what was opened.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { createAuditSinks, createAuditWriter, type AuditWriter } from '../audit/audit-writer.js';
import type { Clock } from '../clock.js';
import type { AuditSinkConfig } from '../manifest/types.js';
import type { GatewayMetrics } from '../metrics.js';
import type { QuotaLimiter } from '../quota/limiter.js';
import { createMemoryLimiter } from '../quota/memory-limiter.js';
import type { RoutingTransport } from '../routing/types.js';
import { createUndiciTransport } from '../transport/undici-transport.js';
import type { LateLogger } from './late-logger.js';
import type { AuditPaths } from './startup-leftovers.js';
import { redisKeyPrefixes, type Settings } from './settings.js';

export type Closer = () => Promise<void>;

export interface GatewayStores {
  readonly transport: RoutingTransport;
  readonly quota: QuotaLimiter;
  readonly providerLimits: QuotaLimiter;
}

export interface StoreOptions {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly metrics: GatewayMetrics;
  readonly logger: LateLogger;
  readonly transport?: RoutingTransport & { close?: () => Promise<void> };
  readonly quota?: QuotaLimiter;
}

export async function openStores(options: StoreOptions, closers: Closer[]): Promise<GatewayStores> {
  const { settings, clock, metrics, logger } = options;
  const transport = options.transport ?? createUndiciTransport({ clock });
  closers.push(async () => transport.close?.());
  const quota = options.quota ?? (settings.redisUrl === undefined
    ? createMemoryLimiter(clock)
    : await openRedisQuota(settings, metrics, logger));
  closers.push(() => quota.close());
  // A provider's limits are its account-wide ceiling: with Redis every replica counts against one
  // (keys provider:<id>, beside the credentials' credential:<id>), not each against its own copy.
  const sharedProviderLimits = settings.redisUrl !== undefined && options.quota === undefined;
  const providerLimits = sharedProviderLimits ? quota : createMemoryLimiter(clock);
  if (!sharedProviderLimits) closers.push(() => providerLimits.close());
  return { transport, quota, providerLimits };
}

/**
 * The audit writer for the sinks of the manifest that serves: opened after the admin plane's first
 * sync, so with a Redis config store they are the stored manifest's sinks, not the local file's.
 * Empty sinks = the JSONL file of the settings.
 */
export async function openAudit(options: Pick<StoreOptions, 'settings' | 'clock' | 'metrics' | 'logger'>, auditSinks: readonly AuditSinkConfig[]): Promise<AuditWriter> {
  const { settings, clock, metrics, logger } = options;
  return createAuditWriter({
    sinks: await createAuditSinks(resolvedSinks(settings, auditSinks)),
    spoolDirectory: spoolDirectoryOf(settings),
    metrics: metrics.registry,
    clock,
    // Sink failures, recoveries and lost records must be loud (issue 6).
    log: (level, message, fields) => logger.log(level, message, fields),
  });
}

/** The sinks with their JSONL paths resolved; none configured = the JSONL file of the settings. */
function resolvedSinks(settings: Settings, auditSinks: readonly AuditSinkConfig[]): AuditSinkConfig[] {
  const auditDirectory = dirname(resolve(settings.auditFile));
  return auditSinks.length > 0 ? auditSinks.map((sink) => inAuditDirectory(sink, auditDirectory)) : [{ type: 'jsonl', path: settings.auditFile }];
}

function spoolDirectoryOf(settings: Settings): string {
  return resolve(dirname(resolve(settings.auditFile)), '.aigw-spool');
}

/** The files and the directory openAudit creates when they are missing. */
export function auditPathsOf(settings: Settings, auditSinks: readonly AuditSinkConfig[]): AuditPaths {
  const files = resolvedSinks(settings, auditSinks).flatMap((sink) => (sink.type === 'jsonl' ? [resolve(sink.path)] : []));
  return { files, spoolDirectory: spoolDirectoryOf(settings) };
}

/**
 * A relative JSONL sink path is taken from the audit directory (that of --audit-file /
 * AIGW_AUDIT_FILE, where the spool lives too), not from the working directory: in a container the
 * working directory is the read-only image, and the audit directory the writable volume.
 */
function inAuditDirectory(sink: AuditSinkConfig, auditDirectory: string): AuditSinkConfig {
  return sink.type === 'jsonl' && !isAbsolute(sink.path) ? { ...sink, path: resolve(auditDirectory, sink.path) } : sink;
}

async function openRedisQuota(settings: Settings, metrics: GatewayMetrics, logger: LateLogger): Promise<QuotaLimiter> {
  const { createRedisLimiter } = await import('../quota/redis-limiter.js');
  return createRedisLimiter({
    url: settings.redisUrl as string,
    prefix: redisKeyPrefixes(settings.redisPrefix).quota,
    onStoreError: settings.quotaOnStoreError,
    metrics: metrics.registry,
    log: (message, fields) => logger.log('warn', message, fields),
  });
}

/**
 * The audit's last flush, then everything else (Redis connections, the admin plane) — also when that
 * flush fails: a connection left open would keep the process alive past SIGTERM. The flush's error
 * is still thrown, after the rest closed.
 */
export async function closeAfterAudit(audit: { close(): Promise<void> }, closers: readonly Closer[]): Promise<void> {
  try {
    await audit.close();
  } finally {
    await closeAll(closers);
  }
}

/** Best effort, in reverse opening order: one failing store must not keep the others open. */
export async function closeAll(closers: readonly Closer[]): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch {
      // Nothing to do at shutdown but go on closing the rest.
    }
  }
}
