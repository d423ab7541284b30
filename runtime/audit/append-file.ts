/**
 * An append-only file written off the request path: appends run one after another on one open
 * handle (O_APPEND), so each batch lands whole and in call order. Used by the spool, the dead-letter
 * file and the JSONL sink.
 */
import { statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeDirectory } from './make-directory.js';

export interface AppendFile {
  readonly path: string;
  /** Bytes in the file, including appends still being written. */
  readonly size: number;
  /** Bytes whose append has completed: safe to read. */
  readonly written: number;
  /** Appends `data`; resolves once it is written (rejects on an I/O error, the size rolled back). */
  append(data: string | Buffer): Promise<void>;
  /** After every append queued so far: empties the file when `condition()` still holds then. */
  truncateIf(condition: () => boolean): Promise<boolean>;
  /** After every append queued so far: closes the file, runs `moveAway` (renames), starts a new one. */
  rotate(moveAway: () => Promise<void>): Promise<void>;
  /**
   * After every append queued so far: when the path no longer names the open file (deleted, or
   * moved away by something else, e.g. logrotate without copytruncate), opens a new one there, so
   * later appends are not written into a file nobody can read. True when it reopened.
   */
  reopenIfMoved(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Appends `data` whole or not at all: a write that fails part-way (a full disk) is cut back to
 * `sizeBefore`, so the file never keeps a torn line that the retry of the same batch would follow
 * with a second copy of its records.
 */
export async function appendWhole(handle: Pick<FileHandle, 'appendFile' | 'truncate'>, data: string | Buffer, sizeBefore: number): Promise<void> {
  try {
    await handle.appendFile(data);
  } catch (error) {
    await handle.truncate(sizeBefore).catch(() => undefined);
    throw error;
  }
}

export async function openAppendFile(path: string): Promise<AppendFile> {
  await makeDirectory(dirname(path));
  let handle = await open(path, 'a', 0o600);
  let opened = await handle.stat();
  let size = opened.size;
  let written = size;
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = <T>(task: () => Promise<T>): Promise<T> => {
    const result = chain.then(task);
    chain = result.catch(() => undefined);
    return result;
  };
  return {
    path,
    get size() { return size; },
    get written() { return written; },
    append(data) {
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      size += bytes;
      return serialize(async () => {
        await appendWhole(handle, data, written);
        written += bytes;
      }).catch((error: unknown) => {
        size -= bytes;
        throw error;
      });
    },
    truncateIf(condition) {
      return serialize(async () => {
        if (!condition()) return false;
        await handle.truncate(0);
        size = 0;
        written = 0;
        return true;
      });
    },
    rotate(moveAway) {
      return serialize(async () => {
        await handle.close();
        try {
          await moveAway();
        } finally {
          handle = await open(path, 'a', 0o600);
          opened = await handle.stat();
          size = opened.size;
          written = size;
        }
      });
    },
    reopenIfMoved() {
      return serialize(async () => {
        // Synchronous on purpose: it runs once per batch, and a promise stat pair cost ~50 µs of CPU
        // (threadpool round trips) against ~1.5 µs for one stat of the path (issue 8 profile: ~2 µs
        // per request). The open handle's identity cannot change, so it is taken once, at open.
        const atPath = statSync(path, { throwIfNoEntry: false });
        if (atPath !== undefined && atPath.ino === opened.ino && atPath.dev === opened.dev) return false;
        await handle.close();
        handle = await open(path, 'a', 0o600);
        opened = await handle.stat();
        size = opened.size;
        written = size;
        return true;
      });
    },
    close() {
      return serialize(() => handle.close());
    },
  };
}
