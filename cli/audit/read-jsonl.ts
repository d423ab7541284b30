/**
 * Reads the JSONL audit trail: the rotated files oldest first (`audit.jsonl.5` … `.1`), then the
 * current one, line by line (streams, so a 100 MiB file never sits in memory whole). `tail` keeps
 * the last N matches in a ring; `search` returns the newest N matches, newest first.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeIoError } from '../describe-io-error.js';
import { InputError } from '../usage-error.js';
import { boundedLines } from './bounded-lines.js';
import { matches, viewOf, type AuditQuery } from './audit-query.js';

export interface ReadResult {
  /** Chronological for tail, newest first for search. */
  readonly records: readonly Record<string, unknown>[];
  /** Lines that were not JSON records (reported on stderr). */
  readonly unreadable: number;
}

/** The audit file and its rotations, oldest first. */
export async function auditFiles(path: string): Promise<string[]> {
  const folder = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (error) {
    throw new InputError(`cannot read ${folder}: ${describeIoError(error)}`, { cause: error });
  }
  const rotated = entries
    .map((entry) => ({ entry, match: entry.startsWith(`${name}.`) ? /^\d+$/.exec(entry.slice(name.length + 1)) : null }))
    .filter((item) => item.match !== null)
    .sort((left, right) => Number(right.match?.[0]) - Number(left.match?.[0]))
    .map((item) => join(folder, item.entry));
  const files = entries.includes(name) ? [...rotated, path] : rotated;
  if (files.length === 0) throw new InputError(`no audit file at ${path} (set --file, or --es-url for Elasticsearch)`);
  return files;
}

export async function readJsonl(path: string, query: AuditQuery): Promise<ReadResult> {
  const kept: Record<string, unknown>[] = [];
  let unreadable = 0;
  for (const file of await auditFiles(path)) {
    if (!(await stat(file)).isFile()) throw new InputError(`${file} is not a file`);
    for await (const line of readableLines(file)) {
      if (line === undefined) { unreadable += 1; continue; }
      if (line.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        unreadable += 1;
        continue;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) { unreadable += 1; continue; }
      if (!matches(viewOf(record as Record<string, unknown>), query)) continue;
      kept.push(record as Record<string, unknown>);
      // Only the newest `limit` matches matter, for tail and search alike.
      if (kept.length > query.limit) kept.shift();
    }
  }
  return { records: query.mode === 'tail' ? kept : kept.reverse(), unreadable };
}

/** The file's lines; a file that cannot be opened (permissions) is an I/O error (exit 2), not a crash. */
async function* readableLines(file: string): AsyncGenerator<string | undefined> {
  try {
    yield* boundedLines(file);
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error) {
      throw new InputError(`cannot read ${file}: ${describeIoError(error)}`, { cause: error });
    }
    throw error;
  }
}
