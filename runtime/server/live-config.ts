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
  /** Credentials with their key hashes decoded once, for constant-time comparison. */
  readonly credentialDigests: readonly { readonly credential: Credential; readonly digest: Buffer }[];
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
  const credentialDigests = (manifest.credentials ?? []).map((credential) => ({
    credential,
    digest: Buffer.from(credential.keySha256, 'hex'),
  }));
  return Object.freeze({ manifest, version, loadedAt, credentialDigests, document });
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
