/**
 * Assembles the live-config side of a replica for `serve`: the store (memory, or Redis with
 * AIGW_REDIS_URL), the first snapshot, the applier every change goes through, the store subscription
 * and, with --watch, the file watcher.
 *
 * The first snapshot comes from the store's current version when the store holds one (a replica that
 * starts later joins the others), and from the manifest file only when it holds none — then the file
 * seeds the store. A stored manifest that is invalid on this replica (a variable it lacks, say) is
 * logged and the file is used instead; a store that does not answer at startup is logged, the file
 * is used, and the replica syncs as soon as Redis answers.
 */
import type { Clock } from '../clock.js';
import { createBackgroundLoader, type ManifestLoader } from '../manifest/background-loader.js';
import { createConfigHolder, type ConfigHolder, type LiveConfig } from '../server/live-config.js';
import type { AdminLogger } from './admin-logger.js';
import { describeDiagnostic } from '../lint/diagnostic.js';
import { createManifestApplier, loadLiveConfig, type ApplyOutcome, type ManifestApplier, type ManifestTransform, type ReloadRecord } from './apply-manifest.js';
import { createConfigStore, type ConfigStore } from './config-store.js';
import { watchManifest } from './watch-manifest.js';

export interface ConfigPlaneOptions {
  /** The manifest file serve was started with (already read); used when the store holds none. */
  readonly manifest?: { readonly text: string | Uint8Array; readonly file: string };
  /** Interpolation environment (process.env in serve). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: AdminLogger;
  /** AIGW_REDIS_URL; absent = the memory store. */
  readonly redisUrl?: string;
  /** Redis key prefix (tests). */
  readonly storePrefix?: string;
  /** Store re-check interval, the safety net behind pub/sub (default 30 s). */
  readonly pollIntervalMs?: number;
  /** Per-operation budget of the Redis store (default 2 s). */
  readonly storeTimeoutMs?: number;
  /** `serve --watch`: reload when this file changes (must be the file of `manifest`). */
  readonly watchPath?: string;
  /** Watch debounce (default 200 ms). */
  readonly watchDebounceMs?: number;
  /** Applied to every loaded manifest before it goes live (serve --demo: the mock overlay). */
  readonly transformManifest?: ManifestTransform;
  /** Told of every reload's outcome (the applier's ReloadRecord). */
  readonly onReload?: (record: ReloadRecord) => void;
  /** How reloads load manifests (default: large ones on a worker thread). */
  readonly loader?: ManifestLoader;
}

export interface ConfigPlane {
  /** What the data plane reads: `holder.current()` once per request. */
  readonly holder: ConfigHolder;
  readonly applier: ManifestApplier;
  readonly store: ConfigStore;
  /** Unix ms the plane started (uptime in status). */
  readonly startedAt: number;
  /** Stops the watcher and the subscription, closes the store. */
  close(): Promise<void>;
}

export type StartConfigPlaneResult =
  | { readonly ok: true; readonly plane: ConfigPlane }
  /** Neither the store nor the file gave a valid manifest: serve prints the diagnostics and exits. */
  | { readonly ok: false; readonly invalid?: Extract<ApplyOutcome, { type: 'invalid' }>; readonly message: string };

export async function startConfigPlane(options: ConfigPlaneOptions): Promise<StartConfigPlaneResult> {
  const { env, clock, logger } = options;
  const startedAt = clock.now();
  // The store is read first: a replica that starts later joins the version the others run.
  const store = await openStore(options);

  let stored;
  try {
    stored = await store.latest();
  } catch (error) {
    logger.warn({ store: store.kind, error: error instanceof Error ? error.message : String(error) },
      'config store unavailable at startup: starting from the manifest file; will sync when it answers');
  }
  let initial: { live: LiveConfig; text: string } | undefined;
  if (stored !== undefined) {
    const loaded = loadLiveConfig(stored.text, `<stored ${stored.version.slice(0, 12)}>`, env, clock.now(), options.transformManifest);
    if (loaded.ok) {
      initial = { live: loaded.live, text: loaded.text };
      logger.info({ version: stored.version, store: store.kind }, 'loaded the stored manifest');
    } else {
      logger.error({ version: stored.version, diagnostics: loaded.outcome.diagnostics.map(describeDiagnostic) },
        'the stored manifest is invalid on this replica; starting from the manifest file');
    }
  }
  if (initial === undefined) {
    if (options.manifest === undefined) {
      await store.close();
      return { ok: false, message: 'no manifest: give a manifest file (or AIGW_MANIFEST), or a Redis store that holds one' };
    }
    const loaded = loadLiveConfig(options.manifest.text, options.manifest.file, env, clock.now(), options.transformManifest);
    if (!loaded.ok) {
      await store.close();
      return { ok: false, invalid: loaded.outcome, message: `${options.manifest.file} is not a valid manifest` };
    }
    initial = { live: loaded.live, text: loaded.text };
  }

  const plane = await attachConfigPlane({ ...options, holder: createConfigHolder(initial.live), liveText: initial.text }, store, startedAt);
  return { ok: true, plane };
}

/**
 * For a caller that already holds the live snapshot (serve loads the file itself): wires the store,
 * the applier, the subscription and the watcher around `holder`. The first sync runs before this
 * resolves: it adopts the store's current version (validated here) or seeds an empty store, so
 * call it before listening.
 */
export async function attachConfigPlane(
  options: Omit<ConfigPlaneOptions, 'manifest'> & { readonly holder: ConfigHolder; readonly liveText: string; readonly watchFile?: WatchedFile },
  existingStore?: ConfigStore,
  startedAt = options.clock.now(),
): Promise<ConfigPlane> {
  const { holder, env, clock, logger } = options;
  const store = existingStore ?? await openStore(options);
  const loader = options.loader ?? createBackgroundLoader({
    onFallback: (error) => logger.warn({ error: error.message }, 'the manifest worker failed; loading on the event loop'),
  });
  const applier = createManifestApplier({
    holder, store, env, clock, logger, liveText: options.liveText, loader,
    ...(options.transformManifest === undefined ? {} : { transformManifest: options.transformManifest }),
    ...(options.onReload === undefined ? {} : { onReload: options.onReload }),
  });
  // Seeds an empty store with the live manifest (or adopts what the store or a concurrent replica holds).
  await applier.syncFromStore();
  const watchFile = options.watchPath === undefined ? undefined : options.watchFile ?? checkWatchedFile(options.watchPath, options.liveText, env, logger);
  if (options.watchPath !== undefined && watchFile?.version !== undefined) await adoptWatchedFile(applier, options.watchPath, watchFile.text, watchFile.version, logger);
  const fileText = watchFile?.text ?? options.liveText;
  const unsubscribe = store.onChange(() => { void applier.syncFromStore(); });
  const watcher = options.watchPath === undefined
    ? undefined
    : watchManifest({
        path: options.watchPath,
        logger,
        startText: fileText,
        ...(options.watchDebounceMs === undefined ? {} : { debounceMs: options.watchDebounceMs }),
        onText: async (text) => {
          const outcome = await applier.apply({ text, file: options.watchPath ?? '', origin: 'watch' });
          if (outcome.type === 'applied') await recordWatchedFile(store, outcome.version, logger);
          return outcome;
        },
      });
  return {
    holder,
    applier,
    store,
    startedAt,
    async close() {
      watcher?.close();
      unsubscribe();
      await store.close();
      await loader.close();
    },
  };
}

/**
 * With --watch the file is the desired state (GitOps), but at startup the store's version serves (a
 * replica joins its fleet). The store remembers the versions of the watched file the fleet has taken
 * in. A file of a version the fleet has never held — neither taken in from a file nor in the history —
 * is a change it has not seen (a ConfigMap edited while no replica watched it, a rollout that replaced
 * every pod) and is applied; the fleet follows. Any other is one the fleet has moved past — an
 * `aigw apply` or rollback since (however many versions ago), an old pod restarting during a rolling
 * update — and is not rolled back to: a warning names both (a rollout back to older bytes is applied
 * with `aigw apply`, or when the file next changes). An invalid file is not adopted (whoever loaded
 * it logged its diagnostics; the stored manifest keeps serving); the watcher reloads once it changes.
 */
async function adoptWatchedFile(applier: ManifestApplier, path: string, text: string, version: string, logger: AdminLogger): Promise<void> {
  const live = applier.holder.current().version;
  let seen: boolean;
  try {
    seen = version === live
      || (await applier.store.watchedFileVersions()).includes(version)
      || (await applier.store.history()).some((entry) => entry.version === version);
  } catch (error) {
    logger.warn({ path, error: error instanceof Error ? error.message : String(error) }, 'watch: could not read the config store; serving the stored version, the file applies when it changes');
    return;
  }
  if (seen) {
    if (version !== live) logger.warn({ path, file: version, live }, 'watch: the fleet has moved past this manifest file\'s version (an apply, a rollback, or a newer file since); serving the fleet\'s version, not rolling back');
    await recordWatchedFile(applier.store, version, logger);
    return;
  }
  const failure = await applier.apply({ text, file: path, origin: 'watch' }).then(
    (outcome) => (outcome.type === 'applied' ? undefined : outcome.type),
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (failure !== undefined) {
    logger.warn({ path, failure }, 'watch: could not apply the manifest file at startup; the watcher tries again when it changes');
    return;
  }
  logger.info({ path, version, previous: live }, 'watch: applied the manifest file, a version the fleet had never held (edited while no replica watched it)');
  await recordWatchedFile(applier.store, version, logger);
}

/** The watched file at startup: its text, and its version when it is valid (undefined: invalid, reported by whoever loaded it). */
export interface WatchedFile {
  readonly text: string;
  readonly version: string | undefined;
}

/** For a caller that did not load the file itself (startConfigPlane): loads it, and reports it when invalid. */
function checkWatchedFile(path: string, text: string, env: ConfigPlaneOptions['env'], logger: AdminLogger): WatchedFile {
  const file = loadLiveConfig(text, path, env, 0);
  if (file.ok) return { text, version: file.live.version };
  logger.error({ path, diagnostics: file.outcome.diagnostics.map(describeDiagnostic) }, 'watch: the manifest file is invalid; serving the stored version until the file changes');
  return { text, version: undefined };
}

async function recordWatchedFile(store: ConfigStore, version: string, logger: AdminLogger): Promise<void> {
  await store.addWatchedFileVersion(version).catch((error: unknown) =>
    logger.warn({ version, error: error instanceof Error ? error.message : String(error) }, 'watch: could not record the watched file\'s version in the config store'));
}

/** The config store the options name: memory, or Redis with AIGW_REDIS_URL. */
function openStore(options: Omit<ConfigPlaneOptions, 'manifest'>): Promise<ConfigStore> {
  return createConfigStore({
    clock: options.clock,
    logger: options.logger,
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    ...(options.storePrefix === undefined ? {} : { prefix: options.storePrefix }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.storeTimeoutMs === undefined ? {} : { timeoutMs: options.storeTimeoutMs }),
  });
}
