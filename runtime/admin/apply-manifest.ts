/**
 * The one path from manifest text to a swapped LiveConfig (issue 7): load → validate → version →
 * compare-and-set in the store → swap. POST /admin/reload, /admin/rollback, store notifications
 * (other replicas' reloads) and `serve --watch` all go through here, with the same loader and linter
 * as `aigw validate` (style §A.2), so every entry point accepts and refuses the same manifests.
 *
 * Operations run one at a time (a promise queue): the If-Match check, the store's compare-and-set
 * and the swap form one step, so two reloads arriving together cannot interleave on one replica;
 * across replicas the store's compare-and-set decides.
 */
import type { Clock } from '../clock.js';
import { AigwError, ERRORS } from '../errors.js';
import { describeDiagnostic, type Diagnostic } from '../lint/diagnostic.js';
import { manifestVersion } from '../manifest/canonical.js';
import { computeChangeSet, type ChangeSet } from '../manifest/changeset.js';
import { inlineLoader, type LoadedManifest, type ManifestLoader } from '../manifest/background-loader.js';
import { loadManifest } from '../manifest/load-manifest.js';
import type { Manifest } from '../manifest/types.js';
import { createLiveConfig, type ConfigHolder, type LiveConfig } from '../server/live-config.js';
import type { AdminLogger } from './admin-logger.js';
import type { ConfigStore } from './config-store.js';
import { environmentValueHider } from '../manifest/hide-environment-values.js';
import { hideInChangeSet } from './hide-environment-values.js';
import { findVersion, previousVersion } from './version-history.js';

/** Who asked for a change: shown in status and logs. */
export type ReloadOrigin = 'startup' | 'reload' | 'rollback' | 'store' | 'watch';

export interface ApplyRequest {
  readonly text: string | Uint8Array;
  /** How diagnostics name the text (a path, or the name the client sent). */
  readonly file: string;
  readonly origin: ReloadOrigin;
  /** When set and different from the live version: a conflict (412), nothing changes. */
  readonly ifMatch?: string;
  /** Validate and diff only. */
  readonly dryRun?: boolean;
}

export type ApplyOutcome =
  | { readonly type: 'invalid'; readonly file: string; readonly diagnostics: readonly Diagnostic[]; readonly omitted?: number; readonly manifestVersion?: string }
  | { readonly type: 'conflict'; readonly liveVersion: string; readonly expected: string; readonly storedVersion?: string }
  | { readonly type: 'dry-run'; readonly liveVersion: string; readonly version: string; readonly changeSet: ChangeSet; readonly warnings: readonly Diagnostic[] }
  | { readonly type: 'applied'; readonly previousVersion: string; readonly version: string; readonly unchanged: boolean;
      readonly changeSet: ChangeSet; readonly warnings: readonly Diagnostic[] };

/** The last reload attempt (dry runs excluded), for GET /admin/status. */
export interface ReloadRecord {
  readonly at: number;
  readonly origin: ReloadOrigin;
  readonly outcome: 'applied' | 'unchanged' | 'invalid' | 'conflict' | 'failed';
  readonly version?: string;
  readonly message?: string;
}

export interface ManifestApplier {
  readonly holder: ConfigHolder;
  readonly store: ConfigStore;
  apply(request: ApplyRequest): Promise<ApplyOutcome>;
  /** Re-applies a stored version (default: the one before the live one). Unknown → 404 VERSION_UNKNOWN. */
  rollback(request: { readonly to?: string; readonly ifMatch?: string }): Promise<ApplyOutcome>;
  /**
   * Adopts the store's current version when it differs from the live one (invalid text is logged
   * once and ignored), or seeds an empty store with the live manifest. Never throws: a store that
   * does not answer is logged and tried again on the next notification or poll.
   */
  syncFromStore(): Promise<void>;
  lastReload(): ReloadRecord | undefined;
  /** The text the live snapshot was loaded from (the store seeds from it). */
  liveText(): string;
}

export interface ManifestApplierOptions {
  readonly holder: ConfigHolder;
  readonly store: ConfigStore;
  /** Interpolation environment (serve: process.env): the gateway resolves ${VAR} from its own. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: AdminLogger;
  /** The text of the holder's current snapshot. */
  readonly liveText: string;
  /** Applied to every loaded manifest before it goes live (serve --demo points providers at the mock). */
  readonly transformManifest?: ManifestTransform;
  /** Told of every reload's outcome (serve counts them in aigw_config_reloads_total). */
  readonly onReload?: (record: ReloadRecord) => void;
  /** How reloads run the loader (serve: large manifests on a worker thread); default on this thread. */
  readonly loader?: ManifestLoader;
}

export type ManifestTransform = (manifest: Manifest) => Manifest;

type Loaded =
  | { readonly ok: true; readonly live: LiveConfig; readonly text: string; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly outcome: Extract<ApplyOutcome, { type: 'invalid' }> };

/** Runs the loader; a valid manifest becomes a LiveConfig (not yet live). */
export function loadLiveConfig(text: string | Uint8Array, file: string, env: ManifestApplierOptions['env'], loadedAt: number,
                               transform: ManifestTransform = (manifest) => manifest): Loaded {
  return toLoaded(loadManifest({ text, file }, { env }), text, file, loadedAt, transform);
}

function toLoaded(result: LoadedManifest, text: string | Uint8Array, file: string, loadedAt: number, transform: ManifestTransform): Loaded {
  if (result.manifest === undefined || result.document === undefined) {
    return {
      ok: false,
      outcome: {
        type: 'invalid',
        file,
        diagnostics: result.diagnostics,
        ...(result.omitted === undefined ? {} : { omitted: result.omitted }),
        ...(result.document === undefined ? {} : { manifestVersion: result.version ?? manifestVersion(result.document) }),
      },
    };
  }
  const version = result.version ?? manifestVersion(result.document);
  return {
    ok: true,
    live: createLiveConfig(transform(result.manifest), version, result.document, loadedAt),
    // The loader accepted the bytes as UTF-8; the store keeps text.
    text: typeof text === 'string' ? text : new TextDecoder().decode(text),
    warnings: result.diagnostics,
  };
}

export function createManifestApplier(options: ManifestApplierOptions): ManifestApplier {
  const { holder, store, env, clock, logger, transformManifest = (manifest) => manifest } = options;
  const loader = options.loader ?? inlineLoader;
  const load = async (text: string | Uint8Array, file: string): Promise<Loaded> =>
    toLoaded(await loader.load({ text, file }, { env }), text, file, clock.now(), transformManifest);
  let liveText = options.liveText;
  let last: ReloadRecord | undefined;
  /** A stored version this replica found invalid: logged once, not on every poll. */
  let refused: string | undefined;
  /**
   * The version this replica last saw in the store (read, or committed by itself). When it is not the
   * live one, this replica lags the fleet (it refused a stored version), and must not seed an emptied
   * store with its older manifest: the replicas in step would all swap back to it.
   */
  let lastStored: string | undefined;
  let warnedDrifted = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** One operation at a time; a failure does not block the next. */
  function serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = queue.then(operation, operation);
    queue = run.catch(() => undefined);
    return run;
  }

  function record(entry: Omit<ReloadRecord, 'at'>): void {
    last = { at: clock.now(), ...entry };
    options.onReload?.(last);
  }

  async function applyNow(request: ApplyRequest): Promise<ApplyOutcome> {
    const current = holder.current();
    const loaded = await loadRequest(request);
    if (request.ifMatch !== undefined && request.ifMatch !== current.version) {
      // The change is already live (another replica's reload reached this one through the shared
      // store): RFC 9110 §13.1.1 lets a server answer a failed If-Match with success when the change
      // has already been applied, and this replica's status then says so instead of "conflict".
      if (loaded.ok && loaded.live.version === current.version) return unchanged(request, current, loaded);
      if (!request.dryRun) record({ origin: request.origin, outcome: 'conflict', message: `If-Match ${short(request.ifMatch)} ≠ live ${short(current.version)}` });
      return { type: 'conflict', liveVersion: current.version, expected: request.ifMatch };
    }
    if (!loaded.ok) {
      if (!request.dryRun) record({ origin: request.origin, outcome: 'invalid', message: `${loaded.outcome.diagnostics.length} diagnostics` });
      return loaded.outcome;
    }
    const next = loaded.live;
    if (next.version === current.version) return unchanged(request, current, loaded);
    const changeSet = changeSetOf(current, next);
    if (request.dryRun) return { type: 'dry-run', liveVersion: current.version, version: next.version, changeSet, warnings: loaded.warnings };
    let committed;
    try {
      committed = await store.commit({ version: next.version, text: loaded.text, storedAt: next.loadedAt }, current.version);
    } catch (error) {
      // A commit that timed out may still have landed (a slow Redis): then it is applied, and saying
      // "nothing changed" would be false. One read tells; if it fails too, the commit's error stands.
      if (await store.currentVersion().catch(() => undefined) !== next.version) {
        record({ origin: request.origin, outcome: 'failed', message: error instanceof Error ? error.message : String(error) });
        throw error;
      }
      committed = { ok: true, unchanged: false } as const;
    }
    // Another replica stored exactly this version first: adopting it is the same result.
    if (!committed.ok && committed.current !== next.version) {
      record({ origin: request.origin, outcome: 'conflict', message: `store holds ${short(committed.current ?? '')}` });
      return { type: 'conflict', liveVersion: current.version, expected: current.version, ...(committed.current === undefined ? {} : { storedVersion: committed.current }) };
    }
    holder.swap(next);
    liveText = loaded.text;
    lastStored = next.version;
    record({ origin: request.origin, outcome: 'applied', version: next.version });
    logger.info({ origin: request.origin, version: next.version, previous: current.version, routes: next.manifest.routes.length }, 'manifest swapped');
    return { type: 'applied', previousVersion: current.version, version: next.version, unchanged: false, changeSet, warnings: loaded.warnings };
  }

  /**
   * The last dry run's load, kept for the reload that follows it: `aigw apply` sends one body to
   * both, and loading a 2 000-route manifest costs ≈ 0.4 s of CPU each time (on the worker thread
   * when large, but the copy back and the change set run on the event loop).
   */
  let lastDryRun: { readonly file: string; readonly text: string | Uint8Array; readonly loaded: Loaded } | undefined;

  async function loadRequest(request: ApplyRequest): Promise<Loaded> {
    const kept = lastDryRun;
    if (kept !== undefined && kept.file === request.file && sameText(kept.text, request.text)) {
      if (!request.dryRun) lastDryRun = undefined;
      // The manifest is already transformed; only the moment it goes live is new.
      return kept.loaded.ok ? { ...kept.loaded, live: createLiveConfig(kept.loaded.live.manifest, kept.loaded.live.version, kept.loaded.live.document, clock.now()) } : kept.loaded;
    }
    const loaded = await load(request.text, request.file);
    lastDryRun = request.dryRun === true ? { file: request.file, text: request.text, loaded } : undefined;
    return loaded;
  }

  function changeSetOf(current: LiveConfig, next: LiveConfig): ChangeSet {
    return hideInChangeSet(computeChangeSet(current.manifest, next.manifest), environmentValueHider([current.document, next.document], env));
  }

  /** The manifest sent is the live one: nothing to swap or store (a dry run says the same). */
  function unchanged(request: ApplyRequest, current: LiveConfig, loaded: { readonly warnings: readonly Diagnostic[] }): ApplyOutcome {
    const changeSet = changeSetOf(current, current);
    if (request.dryRun) return { type: 'dry-run', liveVersion: current.version, version: current.version, changeSet, warnings: loaded.warnings };
    record({ origin: request.origin, outcome: 'unchanged', version: current.version });
    return { type: 'applied', previousVersion: current.version, version: current.version, unchanged: true, changeSet, warnings: loaded.warnings };
  }

  async function rollbackNow(request: { readonly to?: string; readonly ifMatch?: string }): Promise<ApplyOutcome> {
    const live = holder.current().version;
    const versions = (await store.history()).map((entry) => entry.version);
    let target: string | undefined;
    if (request.to === undefined) {
      target = previousVersion(versions, live);
      if (target === undefined) throw new AigwError(ERRORS.VERSION_UNKNOWN, 'There is no previous version to roll back to.');
    } else {
      const found = findVersion(versions, request.to);
      if (found.type === 'ambiguous') throw new AigwError(ERRORS.VERSION_UNKNOWN, `Version prefix ${request.to} matches ${found.matches.length} stored versions; give more digits.`);
      if (found.type === 'none') throw new AigwError(ERRORS.VERSION_UNKNOWN, `Version ${request.to} is not among the last ${versions.length} stored versions.`);
      target = found.version;
    }
    const stored = await store.get(target);
    if (stored === undefined) throw new AigwError(ERRORS.VERSION_UNKNOWN, `Version ${short(target)} is no longer stored.`);
    return applyNow({
      text: stored.text,
      file: `<version ${short(target)}>`,
      origin: 'rollback',
      ...(request.ifMatch === undefined ? {} : { ifMatch: request.ifMatch }),
    });
  }

  async function syncNow(): Promise<void> {
    const live = holder.current();
    const version = await store.currentVersion();
    if (version !== undefined) {
      lastStored = version;
      warnedDrifted = false;
    }
    if (version === live.version) return;
    if (version === undefined) {
      if (lastStored !== undefined && lastStored !== live.version) {
        if (!warnedDrifted) logger.warn({ live: live.version, lastStored }, 'the config store is empty (Redis lost its data?) and this replica lags the fleet\'s last version, so it does not seed the store with its own; another replica or the next apply will');
        warnedDrifted = true;
        return;
      }
      // An empty store (first replica, or Redis was away at startup or lost its data): seed it with
      // the live manifest, so other replicas and rollbacks find it. A concurrent seeder wins; the next
      // sync adopts it.
      const seeded = await store.commit({ version: live.version, text: liveText, storedAt: live.loadedAt }, null);
      if (seeded.ok) lastStored = live.version;
      else await syncNow();
      return;
    }
    if (version === refused) return;
    const stored = await store.get(version);
    if (stored === undefined) return;
    const loaded = await load(stored.text, `<stored ${short(version)}>`);
    if (!loaded.ok) {
      refused = version;
      record({ origin: 'store', outcome: 'invalid', version, message: `${loaded.outcome.diagnostics.length} diagnostics` });
      logger.error({ version, diagnostics: loaded.outcome.diagnostics.map(describeDiagnostic) }, 'the stored manifest is invalid here; keeping the live one');
      return;
    }
    const previous = holder.current().version;
    holder.swap(loaded.live);
    liveText = loaded.text;
    record({ origin: 'store', outcome: 'applied', version });
    logger.info({ origin: 'store', version, previous }, 'manifest swapped to the stored version');
  }

  return {
    holder,
    store,
    apply: (request) => serial(() => applyNow(request)),
    rollback: (request) => serial(() => rollbackNow(request)),
    syncFromStore: () => serial(async () => {
      try {
        await syncNow();
      } catch (error) {
        logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'could not check the config store; will retry');
      }
    }),
    lastReload: () => last,
    liveText: () => liveText,
  };
}

function sameText(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return Buffer.compare(typeof a === 'string' ? Buffer.from(a) : a, typeof b === 'string' ? Buffer.from(b) : b) === 0;
}

function short(version: string): string {
  return version.slice(0, 12);
}
