/**
 * The shared config store for many replicas (design §8, issue 7 item 5). Keys (one hash tag, so a
 * Redis Cluster keeps them in one slot):
 *
 *   <prefix>current    the live version
 *   <prefix>history    list of versions, oldest first, at most 10
 *   <prefix>manifests  hash: version → manifest text
 *   <prefix>stored-at  hash: version → unix ms
 *   <prefix>watched-files list of the --watch file's versions the fleet took in, newest first
 *   <prefix>changed    pub/sub channel: a version was committed
 *
 * A commit is one Lua script: compare-and-set on `current`, history update and PUBLISH happen
 * atomically, so two replicas accepting reloads at once cannot both win, and announcements go out in
 * commit order. Subscribers treat a message as "look again" and read `current` themselves; a
 * reconnect and a slow poll trigger the same re-check, so a lost message only delays a swap.
 * Lazy-imported by config-store.ts when AIGW_REDIS_URL is set.
 */
import { Redis } from 'ioredis';
import { AigwError, ERRORS } from '../errors.js';
import type { AdminLogger } from './admin-logger.js';
import { WATCHED_FILE_LIMIT, type ConfigStore, type ConfigStoreOptions } from './config-store.js';
import { createLayeredNonceCache, createMemoryNonceCache, createRedisNonceCache } from './nonce-cache.js';
import { HISTORY_LIMIT, type StoredManifest } from './version-history.js';

/**
 * KEYS: current, history, manifests, stored-at. ARGV: expected ('' = only when nothing is stored),
 * version, text, storedAt, limit, channel. Returns {1, unchanged 0|1} or {0, current version}.
 */
export const COMMIT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[2] then return {1, 1} end
if current and current ~= ARGV[1] then return {0, current} end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
redis.call('LREM', KEYS[2], 0, ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[2])
local limit = tonumber(ARGV[5])
while redis.call('LLEN', KEYS[2]) > limit do
  local dropped = redis.call('LPOP', KEYS[2])
  redis.call('HDEL', KEYS[3], dropped)
  redis.call('HDEL', KEYS[4], dropped)
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[6], ARGV[2])
return {1, 0}
`;

/** KEYS: manifests, stored-at. ARGV: version. Returns {text, storedAt} or nil. */
const GET_SCRIPT = `
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then return nil end
return {text, redis.call('HGET', KEYS[2], ARGV[1])}
`;

export interface RedisConfigStoreOptions extends ConfigStoreOptions {
  readonly url: string;
}

export const DEFAULT_CONFIG_PREFIX = 'aigw:{config}:';

export async function createRedisConfigStore(options: RedisConfigStoreOptions): Promise<ConfigStore> {
  const prefix = options.prefix ?? DEFAULT_CONFIG_PREFIX;
  const keys = { current: `${prefix}current`, history: `${prefix}history`, manifests: `${prefix}manifests`, storedAt: `${prefix}stored-at`, watchedFiles: `${prefix}watched-files` };
  const channel = `${prefix}changed`;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const client = connect(options.url, timeoutMs, options.logger, 'commands');
  const subscriber = connect(options.url, timeoutMs, options.logger, 'subscriber');
  const listeners = new Set<() => void>();
  const notify = (): void => { for (const listener of listeners) listener(); };

  let readyOnce = false;
  let subscribed = false;
  // ioredis resubscribes after a reconnect only to channels it once subscribed: a replica started
  // while Redis was down (its SUBSCRIBE failed) subscribes when a connection is first ready.
  const subscribe = (): void => {
    subscriber.subscribe(channel).then(() => { subscribed = true; }, (error: unknown) => {
      options.logger.warn({ error: describeRedisError(error) }, 'config store: subscribing to Redis failed; relying on the poll until it reconnects');
    });
  };
  subscriber.on('message', (_channel: string) => notify());
  // Messages sent while disconnected are lost, so look again after every reconnect.
  subscriber.on('ready', () => {
    if (!subscribed) subscribe();
    if (readyOnce) notify();
    readyOnce = true;
  });
  subscribe();
  const poll = setInterval(notify, options.pollIntervalMs ?? 30_000);
  poll.unref();

  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      if (client.status !== 'ready') await waitReady(client, timeoutMs);
      return await run();
    } catch (error) {
      throw new AigwError(ERRORS.ADMIN_STORE_UNAVAILABLE, `The shared config store (Redis) did not answer (${operation}); nothing changed.`, { cause: error });
    }
  }

  async function get(version: string): Promise<StoredManifest | undefined> {
    const reply = await guarded('get', () => client.eval(GET_SCRIPT, 2, keys.manifests, keys.storedAt, version)) as [string, string | null] | null;
    if (reply === null) return undefined;
    return { version, text: reply[0], storedAt: Number(reply[1] ?? 0) };
  }

  async function currentVersion(): Promise<string | undefined> {
    return (await guarded('read current version', () => client.get(keys.current))) ?? undefined;
  }

  return {
    kind: 'redis',
    nonces: createLayeredNonceCache(createMemoryNonceCache(options.clock), createRedisNonceCache(client, `${prefix}nonce:`)),
    currentVersion,
    watchedFileVersions: () => guarded('read the watched file versions', () => client.lrange(keys.watchedFiles, 0, WATCHED_FILE_LIMIT - 1)),
    async addWatchedFileVersion(version) {
      await guarded('record a watched file version', () => client.multi()
        .lrem(keys.watchedFiles, 0, version).lpush(keys.watchedFiles, version).ltrim(keys.watchedFiles, 0, WATCHED_FILE_LIMIT - 1).exec());
    },
    async latest() {
      const version = await currentVersion();
      return version === undefined ? undefined : get(version);
    },
    get,
    async history() {
      const versions = await guarded('history', () => client.lrange(keys.history, 0, -1));
      if (versions.length === 0) return [];
      const times = await guarded('history', () => client.hmget(keys.storedAt, ...versions));
      return versions.map((version, index) => ({ version, storedAt: Number(times[index] ?? 0) }));
    },
    async commit(entry, expected) {
      const reply = await guarded('commit', () => client.eval(
        COMMIT_SCRIPT, 4, keys.current, keys.history, keys.manifests, keys.storedAt,
        expected ?? '', entry.version, entry.text, String(entry.storedAt), String(HISTORY_LIMIT), channel,
      )) as [number, number | string];
      return reply[0] === 1 ? { ok: true, unchanged: reply[1] === 1 } : { ok: false, current: String(reply[1]) };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearInterval(poll);
      listeners.clear();
      await Promise.all([client, subscriber].map(async (connection) => {
        try {
          await connection.quit();
        } catch {
          connection.disconnect();
        }
      }));
    },
  };
}

function connect(url: string, timeoutMs: number, logger: AdminLogger, role: string): Redis {
  const client = new Redis(url, {
    commandTimeout: timeoutMs,
    // An admin request must fail fast while Redis is away, not queue behind it.
    enableOfflineQueue: role === 'subscriber',
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(1_000, timeoutMs),
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  });
  let lastError = '';
  client.on('error', (error: unknown) => {
    // ioredis emits every failed reconnection; log each distinct reason once.
    const reason = describeRedisError(error);
    if (reason === lastError) return;
    lastError = reason;
    logger.warn({ role, error: reason }, 'config store: Redis connection error');
  });
  client.on('ready', () => { lastError = ''; });
  return client;
}

function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { client.off('ready', ready); reject(new Error(`not connected within ${timeoutMs} ms`)); }, timeoutMs);
    function ready(): void { clearTimeout(timer); resolve(); }
    client.once('ready', ready);
  });
}

/** An error's message with any URL password masked: a connection error may quote the URL it was given. */
export function describeRedisError(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, '$1****@');
}
