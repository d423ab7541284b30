/**
 * Where accepted manifests live (design §8). One interface, two stores:
 * - memory (the default, one process): the version history in this process;
 * - Redis (AIGW_REDIS_URL): manifest text, version and history shared by every replica, written by
 *   compare-and-set and announced on a pub/sub channel (redis-config-store.ts).
 * The store holds text, never a parsed manifest: every replica validates what it loads, so an
 * invalid stored manifest is refused by each replica instead of trusted.
 */
import type { Clock } from '../clock.js';
import type { AdminLogger } from './admin-logger.js';
import { createMemoryNonceCache, type NonceCache } from './nonce-cache.js';
import { HISTORY_LIMIT, recordVersion, type StoredManifest, type VersionSummary } from './version-history.js';

export type CommitResult =
  /** Stored and announced; `unchanged` when the store already held this version as current. */
  | { readonly ok: true; readonly unchanged: boolean }
  /** Compare-and-set failed: the store holds another version (another replica accepted a reload). */
  | { readonly ok: false; readonly current: string | undefined };

export interface ConfigStore {
  readonly kind: 'memory' | 'redis';
  /** The current stored version (one small read), or undefined when nothing was ever stored. */
  currentVersion(): Promise<string | undefined>;
  /** The current stored manifest, or undefined when nothing was ever stored. */
  latest(): Promise<StoredManifest | undefined>;
  get(version: string): Promise<StoredManifest | undefined>;
  /** Oldest first, at most HISTORY_LIMIT. */
  history(): Promise<readonly VersionSummary[]>;
  /**
   * Stores `entry` as current only if the stored current version is `expected`, or nothing is stored
   * yet. `expected: null` means "only if nothing is stored" (a replica seeding the store).
   * Throws AIGW_E_ADMIN_STORE_UNAVAILABLE when the store does not answer.
   */
  commit(entry: StoredManifest, expected: string | null): Promise<CommitResult>;
  /**
   * serve --watch: the versions of the watched file the fleet has taken in, newest first (at most
   * WATCHED_FILE_LIMIT). A replica starting with a file of none of them (nor of the history) holds a
   * change the fleet has not seen; with one of them, a file the fleet has moved past — an apply or
   * rollback since, however many versions ago, or an old pod restarting during a rolling update.
   */
  watchedFileVersions(): Promise<readonly string[]>;
  addWatchedFileVersion(version: string): Promise<void>;
  /** The replay window shared by everyone using this store (Redis: across replicas). */
  readonly nonces: NonceCache;
  /** Runs `listener` when the stored current version may have changed elsewhere. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface ConfigStoreOptions {
  /** Redis URL; absent = memory. */
  readonly redisUrl?: string;
  readonly clock: Clock;
  readonly logger: AdminLogger;
  /** Redis key prefix (default `aigw:config:`); tests isolate themselves with their own. */
  readonly prefix?: string;
  /** A safety net for lost pub/sub messages: re-check the stored version this often (default 30 s). */
  readonly pollIntervalMs?: number;
  /** Per-operation budget of the Redis store (default 2 s: a commit carries up to 1 MiB). */
  readonly timeoutMs?: number;
}

/** The memory store, or the Redis one (ioredis is loaded only then). */
export async function createConfigStore(options: ConfigStoreOptions): Promise<ConfigStore> {
  if (options.redisUrl === undefined || options.redisUrl === '') return createMemoryConfigStore(options.clock);
  const { createRedisConfigStore } = await import('./redis-config-store.js');
  return createRedisConfigStore({ ...options, url: options.redisUrl });
}

/** Versions of the --watch file remembered (a manifest's life of ConfigMap edits, several times over). */
export const WATCHED_FILE_LIMIT = 100;

/** One process: the history lives here and nobody else writes, so onChange never fires. */
export function createMemoryConfigStore(clock: Clock, limit = HISTORY_LIMIT): ConfigStore {
  let entries: StoredManifest[] = [];
  let watchedFiles: string[] = [];
  return {
    kind: 'memory',
    watchedFileVersions: async () => watchedFiles,
    addWatchedFileVersion: async (version) => { watchedFiles = [version, ...watchedFiles.filter((known) => known !== version)].slice(0, WATCHED_FILE_LIMIT); },
    nonces: createMemoryNonceCache(clock),
    currentVersion: async () => entries[entries.length - 1]?.version,
    latest: async () => entries[entries.length - 1],
    get: async (version) => entries.find((entry) => entry.version === version),
    history: async () => entries.map(({ version, storedAt }) => ({ version, storedAt })),
    async commit(entry, expected) {
      const current = entries[entries.length - 1]?.version;
      if (current === entry.version) return { ok: true, unchanged: true };
      if (current !== undefined && current !== expected) return { ok: false, current };
      entries = recordVersion(entries, entry, limit);
      return { ok: true, unchanged: false };
    },
    onChange: () => () => {},
    close: async () => {},
  };
}
