/**
 * The live configuration: one immutable snapshot (manifest + version + derived lookups) swapped as a
 * whole. A request takes the snapshot once when it starts and keeps it to the end, so a reload never
 * changes a request in flight (design §6: in-flight requests finish on the old config).
 */
import type { Credential, Manifest } from '../manifest/types.js';

export interface LiveConfig {
  readonly manifest: Manifest;
  /** sha256 of the canonical manifest (the admin plane's version and If-Match value). */
  readonly version: string;
  /** Unix ms when this snapshot went live. */
  readonly loadedAt: number;
  /** Credentials by their key's sha256 (lower-case hex): one lookup per request, however many there are. */
  readonly credentialsByDigest: ReadonlyMap<string, Credential>;
  /** The un-interpolated manifest document (secrets as `${VAR}`), for GET /admin/config. */
  readonly document: unknown;
}

export interface ConfigHolder {
  current(): LiveConfig;
  /** Replaces the snapshot atomically; listeners run after the swap. */
  swap(next: LiveConfig): void;
  onSwap(listener: (next: LiveConfig, previous: LiveConfig) => void): () => void;
}

export function createLiveConfig(manifest: Manifest, version: string, document: unknown, loadedAt: number): LiveConfig {
  const credentialsByDigest = new Map<string, Credential>();
  for (const credential of manifest.credentials ?? []) {
    const digest = credential.keySha256.toLowerCase();
    // Two credentials with one key are a validation error; were they served, the first would win.
    if (!credentialsByDigest.has(digest)) credentialsByDigest.set(digest, credential);
  }
  return Object.freeze({ manifest, version, loadedAt, credentialsByDigest, document });
}

export function createConfigHolder(initial: LiveConfig): ConfigHolder {
  let live = initial;
  const listeners = new Set<(next: LiveConfig, previous: LiveConfig) => void>();
  return {
    current: () => live,
    swap(next) {
      const previous = live;
      live = next;
      for (const listener of listeners) listener(next, previous);
    },
    onSwap(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
