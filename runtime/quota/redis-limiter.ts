/**
 * Quotas in Redis, so N replicas spend one budget (design §8): exactly one round trip per admit and
 * per settle (EVALSHA of redis-script.ts, EVAL once when Redis does not know the script yet), one
 * hash per quota key with a TTL of two windows. A settle applies only while that hash still carries
 * the generation its admit saw: after the key was lost (flushed, deleted, Redis restarted) it is
 * dropped and reported like a failed settle. A Redis that is down or slow never holds a request:
 * every command has a short timeout, nothing is queued while disconnected, and the store-error
 * policy decides (`allow`: admit uncounted, count a metric and log at most once per interval;
 * `deny`: reject as over quota).
 * Lazy-imported by `serve` only when AIGW_REDIS_URL is set.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { realClock, type Clock } from '../clock.js';
import type { RateLimits } from '../manifest/types.js';
import type { Admission, QuotaLimiter, Reservation, StoreErrorPolicy } from './limiter.js';
import { QUOTA_SCRIPT } from './redis-script.js';
import { WINDOW_MS } from './sliding-window.js';

export interface RedisLimiterOptions {
  /** `redis://host:port/db`; or pass `client` (then the caller owns it and close() leaves it open). */
  readonly url?: string;
  readonly client?: Redis;
  readonly onStoreError: StoreErrorPolicy;
  /** Per-command budget before the policy applies (default 100 ms). */
  readonly timeoutMs?: number;
  /** Registers `aigw_quota_store_errors_total{operation,policy}` here when given. */
  readonly metrics?: Registry;
  /** Called at most once per `logIntervalMs` while the store fails (pino: `(m, f) => log.warn(f, m)`). */
  readonly log?: (message: string, fields: Readonly<Record<string, unknown>>) => void;
  readonly logIntervalMs?: number;
  /** Key prefix (default `aigw:quota:`). */
  readonly prefix?: string;
  /** Window length; quotas are per minute, tests may shorten it. */
  readonly windowMs?: number;
  /** For log throttling only; windows use the Redis server's clock. */
  readonly clock?: Clock;
}

/** Reservation window of an admission granted by the `allow` policy: nothing was counted, nothing to settle. */
const UNCOUNTED = -1;
/** Retry-After for the `deny` policy: the store, not the budget, is the problem, so retry soon. */
const STORE_DENY_RETRY_MS = 1_000;
const SCRIPT_SHA = createHash('sha1').update(QUOTA_SCRIPT).digest('hex');

type ScriptReply = readonly (number | string)[] | number;
/** Script reply to a settle whose quota key was lost (flushed, deleted, Redis restarted) since the admit. */
const SETTLE_KEY_LOST = -1;

/**
 * `promise`, or a timeout error after `ms` — declared only once the event loop has also read what
 * arrived meanwhile (one setImmediate: the check phase runs after the poll phase). A busy gateway's
 * loop can lag past the timeout while Redis's reply already waits on the socket; a plain timer (the
 * client's commandTimeout) then fires first and calls a store that answered in time "down" — while
 * Redis has counted the admit.
 */
function withinTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!settled) reject(new Error(`Redis did not answer within ${ms} ms`));
      });
    }, ms);
    promise.then((value) => { settled = true; clearTimeout(timer); resolve(value); }, (error: unknown) => { settled = true; clearTimeout(timer); reject(error); });
  });
}

/** Creates the Redis-backed limiter; see RedisLimiterOptions for the failure policy. */
export function createRedisLimiter(options: RedisLimiterOptions): QuotaLimiter {
  const timeoutMs = options.timeoutMs ?? 100;
  const windowMs = options.windowMs ?? WINDOW_MS;
  const prefix = options.prefix ?? 'aigw:quota:';
  const clock = options.clock ?? realClock;
  const owned = options.client === undefined;
  const client = options.client ?? connect(options.url, timeoutMs);
  const errors = storeErrorCounter(options.metrics);
  const logIntervalMs = options.logIntervalMs ?? 10_000;
  let lastLogAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  let everConnected = client.status === 'ready';

  function report(operation: 'admit' | 'settle', error: unknown): void {
    errors?.inc({ operation, policy: options.onStoreError });
    const now = clock.monotonic();
    if (now - lastLogAt < logIntervalMs) {
      suppressed += 1;
      return;
    }
    lastLogAt = now;
    options.log?.('quota store (Redis) failed; applying the store-error policy', {
      operation, policy: options.onStoreError, error: error instanceof Error ? error.message : String(error), suppressed,
    });
    suppressed = 0;
  }
  client.on('ready', () => { everConnected = true; });
  // Connection errors surface through the commands (and the policy); this listener only keeps
  // ioredis from printing each reconnection attempt.
  client.on('error', () => {});

  /** Until the first connection, wait for it (bounded): a fresh replica is not "Redis down". */
  let firstReady: Promise<void> | undefined;
  function firstConnection(): Promise<void> | undefined {
    if (everConnected || client.status === 'ready') return undefined;
    firstReady ??= new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void { clearTimeout(timer); client.off('ready', done); firstReady = undefined; resolve(); }
      client.once('ready', done);
    });
    return firstReady;
  }

  async function run(key: string, args: readonly (string | number)[]): Promise<ScriptReply> {
    const connecting = firstConnection();
    if (connecting !== undefined) await connecting;
    const redisKey = `${prefix}{${key}}`;
    try {
      return (await client.evalsha(SCRIPT_SHA, 1, redisKey, ...args)) as ScriptReply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await client.eval(QUOTA_SCRIPT, 1, redisKey, ...args)) as ScriptReply;
    }
  }

  /**
   * Redis time minus local time, as of the last admit reply (undefined until one arrived). It is
   * measured when the reply is received, so it errs low by the reply's travel time, and deadlines
   * computed from it err early: a late admit is refused, never counted.
   */
  let serverOffsetMs: number | undefined;
  /**
   * Redis's clock is read (TIME) as soon as the connection is ready, and again before an admit while
   * still unknown, so that a new replica's first admits carry a deadline too: without one, admits
   * that timed out under a slow Redis still counted (and, under allow, were never settled). A failed
   * read leaves those admits without one.
   */
  let measuring: Promise<void> | undefined;
  const measureOffset = (): Promise<void> => (measuring ??= client.time().then(([seconds, micros]) => {
    serverOffsetMs ??= Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - clock.now();
  }, () => {
    measuring = undefined;
  }));
  if (client.status === 'ready') void measureOffset();
  else client.once('ready', () => void measureOffset());
  const storeError = (error: unknown, key: string, cost: number): Admission => {
    report('admit', error);
    return options.onStoreError === 'allow'
      ? { allowed: true, reservation: { key, tokens: cost, window: UNCOUNTED } }
      : { allowed: false, exceeded: 'store', retryAfterMs: STORE_DENY_RETRY_MS };
  };

  return {
    async admit(key: string, limits: RateLimits, tokens: number): Promise<Admission> {
      const cost = Math.max(0, Math.ceil(tokens));
      const connecting = firstConnection();
      if (connecting !== undefined) await connecting;
      if (serverOffsetMs === undefined) await measureOffset();
      // An admit whose timeout fires here may still run in Redis later (it is already on the socket):
      // the deadline makes it count nothing then. Half the timeout, so that one run just before the
      // timeout, whose reply then arrives just after it, is refused too.
      const deadline = serverOffsetMs === undefined ? -1 : clock.now() + serverOffsetMs + Math.floor(timeoutMs / 2);
      let reply: ScriptReply;
      try {
        // The generation is used only if the admit creates the key; 96 random bits never repeat for one key.
        const generation = randomBytes(12).toString('base64url');
        reply = await withinTimeout(run(key, ['admit', windowMs, limits.requestsPerMinute ?? -1, limits.tokensPerMinute ?? -1, cost, deadline, generation]), timeoutMs);
      } catch (error) {
        return storeError(error, key, cost);
      }
      if (!Array.isArray(reply)) throw new TypeError('quota script returned an unexpected reply');
      const [outcome, second, third, fourth] = reply;
      // The server's time follows each outcome's own members: {2, now}, {1, window, now, generation}, {0, exceeded, wait, now}.
      const serverNow = outcome === 2 ? second : outcome === 1 ? third : fourth;
      if (typeof serverNow === 'number') serverOffsetMs = serverNow - clock.now();
      if (outcome === 2) return storeError(new Error('the quota check reached Redis after its deadline; nothing was counted'), key, cost);
      if (outcome === 1) return { allowed: true, reservation: { key, tokens: cost, window: Number(second), generation: String(fourth) } };
      return { allowed: false, exceeded: second === 1 ? 'requests' : 'tokens', retryAfterMs: Number(third) };
    },

    async settle(reservation: Reservation, actualTokens: number): Promise<void> {
      if (reservation.window === UNCOUNTED || !Number.isFinite(actualTokens)) return;
      const delta = Math.max(0, Math.ceil(actualTokens)) - reservation.tokens;
      if (delta === 0) return;
      let reply: ScriptReply;
      try {
        reply = await run(reservation.key, ['settle', windowMs, reservation.window, delta, reservation.generation ?? '']);
      } catch (error) {
        // The request has been answered; a lost settle only leaves the estimate in place.
        report('settle', error);
        return;
      }
      // Reported like a failed settle: the store lost the counts this reservation was part of.
      if (reply === SETTLE_KEY_LOST) report('settle', new Error('the quota key was lost since the admit (Redis flushed or restarted, or the key deleted); the settle was dropped'));
    },

    async close(): Promise<void> {
      if (!owned) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

function connect(url: string | undefined, timeoutMs: number): Redis {
  if (url === undefined) throw new TypeError('createRedisLimiter needs `url` or `client`');
  return new Redis(url, {
    // A safety net only: admits time out at timeoutMs by withinTimeout, which lets a reply that
    // arrived during a lagging event loop through.
    commandTimeout: timeoutMs * 5,
    // Fail at once while disconnected instead of queueing requests behind a dead store.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(500, timeoutMs * 5),
    retryStrategy: (times: number) => Math.min(100 * times, 2_000),
  });
}

function storeErrorCounter(registry: Registry | undefined): Counter<'operation' | 'policy'> | undefined {
  if (registry === undefined) return undefined;
  const name = 'aigw_quota_store_errors_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<'operation' | 'policy'>;
  return new Counter({
    name,
    help: 'Quota checks the store (Redis) could not answer in time; the store-error policy decided instead.',
    labelNames: ['operation', 'policy'],
    registers: [registry],
  });
}
