/**
 * The embedded default sink: one JSON record per line, appended in batches off the request path,
 * rotated by size (`audit.jsonl` → `audit.jsonl.1` → … → `audit.jsonl.<maxFiles>`, the oldest
 * removed), so a long-running gateway never fills its disk. `aigw audit tail|search` reads the
 * current file and the rotated ones.
 */
import { rename, rm } from 'node:fs/promises';
import { openAppendFile } from '../append-file.js';
import { jsonLines, type QueuedRecord } from '../queue.js';
import { DELIVERED, type AuditSink, type SinkWriteResult } from './sink.js';

export interface JsonlSinkOptions {
  readonly path: string;
  /** Rotate when the file would pass this size (default 100 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept besides the current one (default 5). */
  readonly maxFiles?: number;
}

export const JSONL_DEFAULTS = { maxBytes: 100 * 1024 * 1024, maxFiles: 5 } as const;

/** Opens (creates) the file; writes append whole batches with one write each. */
export async function createJsonlSink(options: JsonlSinkOptions): Promise<AuditSink> {
  const maxBytes = options.maxBytes ?? JSONL_DEFAULTS.maxBytes;
  const maxFiles = options.maxFiles ?? JSONL_DEFAULTS.maxFiles;
  const file = await openAppendFile(options.path);

  async function moveAway(): Promise<void> {
    await rm(`${options.path}.${maxFiles}`, { force: true });
    for (let index = maxFiles - 1; index >= 1; index -= 1) {
      await rename(`${options.path}.${index}`, `${options.path}.${index + 1}`).catch(ignoreMissing);
    }
    if (maxFiles >= 1) await rename(options.path, `${options.path}.1`);
    else await rm(options.path, { force: true });
  }

  return {
    name: 'jsonl',
    // Appends are cheap; records waiting 200 ms outlived young-generation collections and cost the
    // gateway 10–15 µs each in old-space GC under load (issue 8 benchmark). 10 ms keeps them short-lived.
    batch: { maxCount: 1_000, maxBytes: 1024 * 1024, intervalMs: 10 },
    async write(records: readonly QueuedRecord[]): Promise<SinkWriteResult> {
      const batch = jsonLines(records);
      // Deleted or moved away by something else: write where readers look, not into an unlinked file.
      await file.reopenIfMoved();
      if (file.size > 0 && file.size + batch.length > maxBytes) await file.rotate(moveAway);
      await file.append(batch);
      return DELIVERED;
    },
    close: () => file.close(),
  };
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
