/**
 * Everything `serve` needs for the admin plane in one call, around the ConfigHolder it already
 * serves from:
 *
 *   const admin = await startAdminPlane({ settings, holder: config, liveText, env, clock, logger: app.log, replicaId });
 *   // … on shutdown: await admin.close();
 *
 * 1. the config store (memory, or Redis with AIGW_REDIS_URL) synced before this resolves — the
 *    replica adopts the stored version, or seeds an empty store with its file;
 * 2. `--watch` on the manifest file;
 * 3. the admin keys (AIGW_ADMIN_KEYS + AIGW_ADMIN_KEYS_FILE) and the signed admin app listening on
 *    AIGW_ADMIN_HOST:AIGW_ADMIN_PORT.
 *
 * No admin keys → the admin port stays closed and a warning says so (reload then only via --watch or
 * a restart); the admin plane never runs unauthenticated. A malformed key entry → AdminKeysError:
 * serve must refuse to start rather than run with half the keys it was given.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { ConfigHolder } from '../server/live-config.js';
import { redisKeyPrefixes, type Settings } from '../server/settings.js';
import { AdminKeysError, parseAdminKeys, type AdminKeyRing } from './admin-keys.js';
import type { ManifestTransform, ReloadRecord } from './apply-manifest.js';
import { buildAdminApp } from './build-admin-app.js';
import { attachConfigPlane, type ConfigPlane, type WatchedFile } from './config-plane.js';
import type { ConfigStore } from './config-store.js';

export interface AdminPlaneOptions {
  readonly settings: Pick<Settings, 'adminKeys' | 'adminKeysFile' | 'adminHost' | 'adminPort' | 'redisUrl' | 'redisPrefix' | 'watch' | 'manifest'>;
  /** The holder the data plane reads (`current()` per request). */
  readonly holder: ConfigHolder;
  /** The text the holder's snapshot was loaded from. */
  readonly liveText: string;
  /** With --watch: the file at startup (its text and, when valid, version), loaded by serve already. */
  readonly watchFile?: WatchedFile;
  /** A config store already opened (serve read the stored manifest from it at startup). */
  readonly store?: ConfigStore;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** serve's pino logger (`app.log`). */
  readonly logger: FastifyBaseLogger;
  readonly replicaId: string;
  /** serve --demo: the mock overlay, applied to every manifest that goes live. */
  readonly transformManifest?: ManifestTransform;
  /** Told of every reload's outcome (aigw_config_reloads_total). */
  readonly onReload?: (record: ReloadRecord) => void;
}

export interface RunningAdminPlane {
  readonly plane: ConfigPlane;
  /** Absent when no admin keys are configured. */
  readonly app?: FastifyInstance;
  readonly url?: string;
  /** Closes the admin app (if any), then the watcher, subscription and store. */
  close(): Promise<void>;
}

export async function startAdminPlane(options: AdminPlaneOptions): Promise<RunningAdminPlane> {
  const { settings, logger } = options;
  // Keys first: a malformed key configuration must stop startup before anything connects.
  const keys = await resolveAdminKeys(settings);
  const plane = await attachConfigPlane({
    holder: options.holder,
    liveText: options.liveText,
    ...(options.watchFile === undefined ? {} : { watchFile: options.watchFile }),
    env: options.env,
    clock: options.clock,
    logger,
    ...(settings.redisUrl === undefined ? {} : { redisUrl: settings.redisUrl, storePrefix: redisKeyPrefixes(settings.redisPrefix).config }),
    ...(settings.watch && settings.manifest !== undefined ? { watchPath: settings.manifest } : {}),
    ...(options.transformManifest === undefined ? {} : { transformManifest: options.transformManifest }),
    ...(options.onReload === undefined ? {} : { onReload: options.onReload }),
  }, options.store);
  if (keys.size === 0) {
    logger.warn('ADMIN PLANE OFF: no admin keys (AIGW_ADMIN_KEYS or AIGW_ADMIN_KEYS_FILE), so the admin port stays closed and aigw apply/rollback/status cannot reach this replica. Make a key with aigw keys generate.');
    return { plane, close: () => plane.close() };
  }
  let app: FastifyInstance;
  try {
    app = await buildAdminApp({ plane, keys, clock: options.clock, replicaId: options.replicaId, logger: logger.child({ plane: 'admin' }) });
    await app.listen({ port: settings.adminPort, host: settings.adminHost });
  } catch (error) {
    await plane.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, keys: [...keys.keys()], store: plane.store.kind }, 'admin plane listening (signed requests only)');
  return {
    plane,
    app,
    url,
    async close() {
      await app.close();
      await plane.close();
    },
  };
}

/**
 * AIGW_ADMIN_KEYS plus the file named by AIGW_ADMIN_KEYS_FILE. A missing file counts as no keys (a
 * Kubernetes Secret volume marked optional), which startAdminPlane reports loudly; an unreadable
 * file or a malformed entry throws AdminKeysError.
 */
export async function resolveAdminKeys(settings: Pick<Settings, 'adminKeys' | 'adminKeysFile'>): Promise<AdminKeyRing> {
  let fileText: { text: string; file: string } | undefined;
  if (settings.adminKeysFile !== undefined && settings.adminKeysFile !== '') {
    try {
      fileText = { text: await readFile(settings.adminKeysFile, 'utf8'), file: settings.adminKeysFile };
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      if (code !== 'ENOENT') throw new AdminKeysError(`cannot read AIGW_ADMIN_KEYS_FILE ${settings.adminKeysFile}: ${code || String(error)}`);
    }
  }
  return parseAdminKeys(settings.adminKeys, fileText);
}
