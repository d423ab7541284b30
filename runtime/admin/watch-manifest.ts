/**
 * `serve --watch` (issue 7 item 6): reload when the manifest file changes, through the same applier
 * as POST /admin/reload (same validation, same atomic swap); an invalid file keeps the live config and
 * logs its diagnostics.
 *
 * Kubernetes mounts a ConfigMap as symlinks: `routes.yaml -> ..data/routes.yaml`, `..data ->
 * ..2025_01_01_00_00_00.123`. An update writes a new timestamped directory and renames a new `..data`
 * symlink over the old one, so the file's own inode never changes and a watch on the file itself sees
 * nothing. Watching the *directory* catches the rename; any event there re-reads the path (following
 * the symlinks) and compares a content hash, so unrelated events and editors' multi-step saves cost a
 * read and nothing else. Events are debounced (kubelet's swap is several renames).
 *
 * A manifest that is a plain symlink into another folder (`routes.yaml -> /etc/aigw/routes.yaml`) is
 * edited where it really lives: that folder is watched too, re-resolved after every check so a symlink
 * that is re-pointed is followed.
 * @see https://kubernetes.io/docs/concepts/configuration/configmap/#mounted-configmaps-are-updated-automatically
 */
import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AdminLogger } from './admin-logger.js';
import { describeDiagnostic } from '../lint/diagnostic.js';
import type { ApplyOutcome } from './apply-manifest.js';
import { sha256Hex } from './signature-format.js';

export interface WatchManifestOptions {
  readonly path: string;
  readonly logger: AdminLogger;
  /** Quiet time after the last event before re-reading (default 200 ms). */
  readonly debounceMs?: number;
  /** After a reload that failed (the shared store did not answer), when to try the same text again (default 5000 ms). */
  readonly retryMs?: number;
  /**
   * A re-read on a timer besides the watch events (default 5000 ms): a watch stays on the directory
   * it was set on, so a directory removed and re-created, or reached through a re-pointed symlink,
   * would otherwise end reloads in silence. Unchanged text costs a read and a hash.
   */
  readonly pollMs?: number;
  /** Applies the new text (the applier, origin "watch"). */
  readonly onText: (text: string) => Promise<ApplyOutcome>;
  /**
   * The file's text as the gateway loaded it at start. Without it the watcher reads the file itself
   * to learn what is already live, and an edit saved before that read lands would be taken for it.
   */
  readonly startText?: string;
}

export interface ManifestWatcher {
  close(): void;
}

export function watchManifest(options: WatchManifestOptions): ManifestWatcher {
  const path = resolve(options.path);
  const debounceMs = options.debounceMs ?? 200;
  const retryMs = options.retryMs ?? 5_000;
  const pollMs = options.pollMs ?? 5_000;
  /** The last read error logged: a file missing for a while is said once, not at every poll. */
  let lastReadError: string | undefined;
  const { logger } = options;
  let lastHash = options.startText === undefined ? undefined : sha256Hex(options.startText);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  // The text live at start is not a change; remember it so the first unrelated event is a no-op.
  const initial = lastHash !== undefined ? Promise.resolve() : readFile(path).then((bytes) => { lastHash ??= sha256Hex(bytes); }, () => {});

  async function check(): Promise<void> {
    await initial;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      // Mid-swap the path can briefly dangle; the rename that completes the swap is another event.
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastReadError) logger.warn({ path, error: message }, 'watch: cannot read the manifest; keeping the live config');
      lastReadError = message;
      return;
    }
    lastReadError = undefined;
    const hash = sha256Hex(bytes);
    if (hash === lastHash) return;
    const previousHash = lastHash;
    lastHash = hash;
    let outcome: ApplyOutcome;
    try {
      outcome = await options.onText(bytes.toString('utf8'));
    } catch (error) {
      // Not applied (the shared store did not answer): this text is still to be applied, so the
      // retry (runChecks) must not take it for the live one.
      lastHash = previousHash;
      throw error;
    }
    switch (outcome.type) {
      case 'invalid':
        logger.error({ path, diagnostics: outcome.diagnostics.map(describeDiagnostic) }, 'watch: the changed manifest is invalid; keeping the live config');
        break;
      case 'conflict':
        logger.warn({ path, live: outcome.liveVersion, stored: outcome.storedVersion }, 'watch: another replica changed the config first; the store decides');
        break;
      case 'applied':
        if (!outcome.unchanged) logger.info({ path, version: outcome.version, previous: outcome.previousVersion }, 'watch: reloaded the manifest');
        break;
      case 'dry-run':
        break;
      default: {
        const never: never = outcome;
        throw new Error(`unexpected outcome ${String(never)}`);
      }
    }
  }

  function runChecks(): void {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await check();
          watchTarget();
        } catch (error) {
          logger.error({ path, error: error instanceof Error ? error.message : String(error), retryInMs: retryMs }, 'watch: reload failed; keeping the live config and trying again');
          if (!closed) {
            clearTimeout(timer);
            timer = setTimeout(runChecks, retryMs);
          }
        }
      } while (again && !closed);
    })().finally(() => { running = undefined; });
  }

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(runChecks, debounceMs);
  }

  let watcher: FSWatcher | undefined;
  let targetWatcher: FSWatcher | undefined;
  let targetDirectory: string | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, schedule);
    watcher.on('error', (error) => logger.error({ path, error: error.message }, 'watch: the directory watch failed; reloads from the file have stopped'));
  } catch (error) {
    logger.error({ path, error: error instanceof Error ? error.message : String(error) }, 'watch: cannot watch the manifest directory');
  }
  watchTarget();
  const poll = setInterval(runChecks, pollMs);
  poll.unref();
  logger.info({ path, directory: dirname(path) }, 'watching the manifest for changes');

  /** Watches the folder the path resolves to, when it differs from the path's own folder. */
  function watchTarget(): void {
    if (closed) return;
    let directory: string;
    try {
      directory = dirname(realpathSync(path));
    } catch {
      return; // dangling mid-swap: the next event re-resolves
    }
    if (directory === dirname(path) || directory === targetDirectory) return;
    targetWatcher?.close();
    targetWatcher = undefined;
    targetDirectory = directory;
    try {
      targetWatcher = watch(directory, { persistent: false }, schedule);
      // A ConfigMap's timestamped folder disappears at the next swap: forget it, the next check re-resolves.
      targetWatcher.on('error', () => {
        targetWatcher?.close();
        targetWatcher = undefined;
        targetDirectory = undefined;
      });
    } catch {
      targetDirectory = undefined;
    }
  }

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
      targetWatcher?.close();
    },
  };
}

