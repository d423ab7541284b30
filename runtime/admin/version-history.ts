/**
 * The last good manifest versions, for `aigw rollback` (design §6). A version that goes live again
 * moves to the end instead of appearing twice, so "the previous version" after a rollback is the
 * one rolled back from (rolling back twice returns to where you were). Pure functions over an
 * array: the memory store keeps the array, the Redis store runs the same rules in its Lua script.
 */

/** How many versions are kept. */
export const HISTORY_LIMIT = 10;

/** One stored manifest: the text exactly as it was accepted, so a rollback re-validates the same bytes. */
export interface StoredManifest {
  /** sha256 of the canonical, un-interpolated document (runtime/manifest/canonical.ts). */
  readonly version: string;
  readonly text: string;
  /** Unix ms when it was stored. */
  readonly storedAt: number;
}

export interface VersionSummary {
  readonly version: string;
  readonly storedAt: number;
}

/** Appends `entry` (moving an existing version to the end) and keeps the last `limit`. */
export function recordVersion(entries: readonly StoredManifest[], entry: StoredManifest, limit = HISTORY_LIMIT): StoredManifest[] {
  const next = entries.filter((existing) => existing.version !== entry.version);
  next.push(entry);
  return next.slice(Math.max(0, next.length - limit));
}

/** The version stored before `current`, or undefined when there is none. */
export function previousVersion(versions: readonly string[], current: string): string | undefined {
  const index = versions.lastIndexOf(current);
  if (index === -1) return versions[versions.length - 1];
  return index === 0 ? undefined : versions[index - 1];
}

export type VersionLookup = { readonly type: 'found'; readonly version: string } | { readonly type: 'none' } | { readonly type: 'ambiguous'; readonly matches: readonly string[] };

/**
 * Resolves a full version or an unambiguous prefix (at least 7 hex digits, as git abbreviates), so
 * `aigw rollback --to 3f2a9c1` works with what `aigw status` prints.
 */
export function findVersion(versions: readonly string[], wanted: string): VersionLookup {
  const needle = wanted.toLowerCase();
  if (versions.includes(needle)) return { type: 'found', version: needle };
  if (needle.length < 7 || !/^[0-9a-f]+$/.test(needle)) return { type: 'none' };
  const matches = [...new Set(versions.filter((version) => version.startsWith(needle)))];
  if (matches.length === 0) return { type: 'none' };
  const [only] = matches;
  return matches.length === 1 && only !== undefined ? { type: 'found', version: only } : { type: 'ambiguous', matches };
}
