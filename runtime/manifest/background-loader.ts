/**
 * Loads manifests off the event loop. Parsing YAML dominates a load (≈ 0.4 s for a 2 000-route
 * manifest), and a reload on the event loop stalls every request in flight for that long — on every
 * replica at once when the shared store announces a new version. Texts from `minBytes` up are loaded
 * by the same `loadManifest` on a worker thread; the caller rebuilds the manifest from the returned
 * document (secrets do not cross threads). A worker that cannot start or dies falls back to loading
 * on the calling thread, so a reload never fails for the worker's sake.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../lint/diagnostic.js';
import { loadManifest, materializeManifest, type LoadManifestOptions, type LoadManifestResult, type ManifestSourceText } from './load-manifest.js';

/** A load's result; `version` when the loader computed it off the event loop (manifestVersion of the document). */
export type LoadedManifest = LoadManifestResult & { readonly version?: string };

export interface ManifestLoader {
  load(source: ManifestSourceText, options: LoadManifestOptions): Promise<LoadedManifest>;
  /** Stops the worker, if one runs; a load in flight or asked for later rejects (it does not fall back). */
  close(): Promise<void>;
  /** True while a worker thread is up (it stops when idle). */
  workerRunning(): boolean;
}

export interface BackgroundLoaderOptions {
  /** Smaller texts load on the calling thread: they block less than a thread hop costs (default 64 KiB). */
  readonly minBytes?: number;
  /** An idle worker is stopped after this long (default 10 s): it holds a heap of its own. */
  readonly idleMs?: number;
  /** Told when a worker failed and the load ran on the calling thread instead. */
  readonly onFallback?: (error: Error) => void;
  /** Starts the worker (tests run from TypeScript sources, which a plain worker cannot load). */
  readonly startWorker?: () => Worker;
}

export interface WorkerLoadRequest {
  readonly id: number;
  readonly source: ManifestSourceText;
  readonly options: LoadManifestOptions;
}

export interface WorkerLoadReply {
  readonly id: number;
  readonly diagnostics: readonly Diagnostic[];
  /** loadManifest returned a manifest. */
  readonly accepted: boolean;
  readonly document?: unknown;
  readonly version?: string;
  readonly omitted?: number;
}

export const DEFAULT_BACKGROUND_MIN_BYTES = 64 * 1024;

/** The worker's module, next to this one once compiled (run from sources, a worker would fail and the load fall back). */
export const MANIFEST_LOAD_WORKER = new URL('./manifest-load-worker.js', import.meta.url);

/** Loads on the calling thread (startup, tests). */
export const inlineLoader: ManifestLoader = {
  load: (source, options) => Promise.resolve(loadManifest(source, options)),
  close: () => Promise.resolve(),
  workerRunning: () => false,
};

interface RunningWorker {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve(reply: WorkerLoadReply): void; reject(error: Error): void }>;
  idleTimer?: NodeJS.Timeout;
}

export function createBackgroundLoader(options: BackgroundLoaderOptions = {}): ManifestLoader {
  const minBytes = options.minBytes ?? DEFAULT_BACKGROUND_MIN_BYTES;
  const idleMs = options.idleMs ?? 10_000;
  const startWorker = options.startWorker ?? (() => new Worker(MANIFEST_LOAD_WORKER));
  let running: RunningWorker | undefined;
  let nextId = 0;
  let closed = false;

  function start(): RunningWorker {
    const worker = startWorker();
    // Never what keeps a gateway from exiting.
    worker.unref();
    const started: RunningWorker = { worker, pending: new Map() };
    const fail = (error: Error): void => {
      if (running === started) running = undefined;
      clearTimeout(started.idleTimer);
      for (const entry of started.pending.values()) entry.reject(error);
      started.pending.clear();
    };
    worker.on('message', (reply: WorkerLoadReply) => {
      const entry = started.pending.get(reply.id);
      started.pending.delete(reply.id);
      entry?.resolve(reply);
      if (started.pending.size === 0) scheduleStop(started);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the manifest worker exited (code ${code})`)));
    return started;
  }

  function scheduleStop(idle: RunningWorker): void {
    clearTimeout(idle.idleTimer);
    idle.idleTimer = setTimeout(() => {
      if (running === idle && idle.pending.size === 0) {
        running = undefined;
        void idle.worker.terminate();
      }
    }, idleMs);
    idle.idleTimer.unref();
  }

  function loadOnWorker(source: ManifestSourceText, loadOptions: LoadManifestOptions): Promise<WorkerLoadReply> {
    return new Promise((resolve, reject) => {
      try {
        running ??= start();
        const target = running;
        clearTimeout(target.idleTimer);
        const id = nextId++;
        target.pending.set(id, { resolve, reject });
        const request: WorkerLoadRequest = { id, source: { text: source.text, file: source.file }, options: plainOptions(loadOptions) };
        target.worker.postMessage(request);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  return {
    async load(source, loadOptions) {
      if (closed) throw new LoaderClosedError();
      if (source.text.length < minBytes) return loadManifest(source, loadOptions);
      let reply: WorkerLoadReply;
      try {
        reply = await loadOnWorker(source, loadOptions);
      } catch (error) {
        // Shutting down: no half-second of parsing on the event loop for a reload nobody will serve.
        if (closed) throw new LoaderClosedError();
        options.onFallback?.(error instanceof Error ? error : new Error(String(error)));
        return loadManifest(source, loadOptions);
      }
      return {
        diagnostics: reply.diagnostics,
        ...(reply.accepted && reply.document !== undefined ? { manifest: materializeManifest(reply.document, loadOptions) } : {}),
        ...(reply.document === undefined ? {} : { document: reply.document }),
        ...(reply.version === undefined ? {} : { version: reply.version }),
        ...(reply.omitted === undefined ? {} : { omitted: reply.omitted }),
      };
    },
    async close() {
      closed = true;
      const stopping = running;
      running = undefined;
      if (stopping === undefined) return;
      clearTimeout(stopping.idleTimer);
      await stopping.worker.terminate();
    },
    workerRunning: () => running !== undefined,
  };
}

export class LoaderClosedError extends Error {
  constructor() {
    super('the manifest loader is closed (the gateway is shutting down)');
    this.name = 'LoaderClosedError';
  }
}

/** Only data crosses threads: the environment as plain strings (process.env is an exotic object). */
function plainOptions(options: LoadManifestOptions): LoadManifestOptions {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) if (typeof value === 'string') env[name] = value;
  return {
    env,
    ...(options.allowMissingEnv === undefined ? {} : { allowMissingEnv: options.allowMissingEnv }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  };
}
