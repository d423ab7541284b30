/**
 * What a failed start must not leave behind. The audit opens before the port listens (no request is
 * served without its sink), so a port in use is found after the JSONL file and the spool directory
 * were made: a start that fails removes those it made itself, as long as they are still empty.
 * Anything that existed before the start, or holds a byte of audit data, stays.
 */
import { lstatSync } from 'node:fs';
import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface AuditPaths {
  /** The JSONL sinks' files. */
  readonly files: readonly string[];
  /** Where the sinks spool and dead-letter records. */
  readonly spoolDirectory: string;
}

/** Whether the path is there; one that cannot be looked at (ENOTDIR, EACCES) counts as there: never removed. */
function exists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

/** The audit paths that do not exist yet: taken just before the audit opens. */
export function absentAuditPaths(paths: AuditPaths): AuditPaths {
  return { files: paths.files.filter((file) => !exists(file)), spoolDirectory: exists(paths.spoolDirectory) ? '' : paths.spoolDirectory };
}

async function isEmptyFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && info.isFile() && info.size === 0;
}

/** A spool's committed offset still at its start: nothing was ever spooled. */
async function isUnusedOffset(path: string): Promise<boolean> {
  if (!path.endsWith('.offset')) return false;
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text !== undefined && text.trim() === '0';
}

/** Best effort: removes the paths a failed start made (from absentAuditPaths) while they hold no record. */
export async function removeUnusedAuditPaths(made: AuditPaths): Promise<void> {
  for (const file of made.files) {
    if (await isEmptyFile(file)) await rm(file, { force: true }).catch(() => undefined);
  }
  if (made.spoolDirectory === '') return;
  const entries = await readdir(made.spoolDirectory).catch(() => undefined);
  if (entries === undefined) return;
  for (const entry of entries) {
    const path = join(made.spoolDirectory, entry);
    if (!(await isEmptyFile(path)) && !(await isUnusedOffset(path))) return;
  }
  for (const entry of entries) await rm(join(made.spoolDirectory, entry), { force: true }).catch(() => undefined);
  await rmdir(made.spoolDirectory).catch(() => undefined);
}
