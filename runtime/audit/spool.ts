/**
 * The disk spool of one sink: an append-only JSONL file of records the sink could not take yet,
 * replayed in order from a committed byte offset (kept in `<spool>.offset`, so a restart resumes
 * where delivery stopped). Once everything is delivered the file is emptied. Bounded by `maxBytes`:
 * what does not fit is returned to the caller (a metric and a loud log line there), never blocked on.
 */
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { openAppendFile, type AppendFile } from './append-file.js';
import { jsonLines, recordId, type QueuedRecord } from './queue.js';

export interface SpoolBatch {
  readonly records: readonly QueuedRecord[];
  /** Lines that are not records (a torn write from a crash): for the dead-letter file. */
  readonly corrupt: readonly string[];
  /** Offset just past the batch: commit(end) once it is delivered. */
  readonly end: number;
}

export interface Spool {
  readonly path: string;
  /** Bytes appended (or being appended) and not yet delivered. */
  pendingBytes(): number;
  /** Appends what fits under maxBytes, in order; returns the records that did not fit. */
  append(records: readonly QueuedRecord[]): Promise<readonly QueuedRecord[]>;
  /** Up to `maxCount` records / about `maxBytes` bytes from the committed offset; undefined when none is complete. */
  read(maxCount: number, maxBytes: number): Promise<SpoolBatch | undefined>;
  /** Marks everything before `end` delivered; empties the file when nothing is left. */
  commit(end: number): Promise<void>;
  close(): Promise<void>;
}

export async function openSpool(path: string, maxBytes: number): Promise<Spool> {
  const file: AppendFile = await openAppendFile(path);
  await terminateTornLine(path, file);
  const offsetPath = `${path}.offset`;
  let offset = await readOffset(offsetPath, file.size);

  let saving: Promise<void> = Promise.resolve();
  function saveOffset(): Promise<void> {
    // Write-then-rename: a crash leaves the old or the new offset, never a torn number; one at a time.
    saving = saving.catch(() => undefined).then(async () => {
      await writeFile(`${offsetPath}.tmp`, String(offset));
      await rename(`${offsetPath}.tmp`, offsetPath);
    });
    return saving;
  }

  return {
    path,
    pendingBytes: () => file.size - offset,
    async append(records) {
      let index = 0;
      let projected = file.size;
      for (const record of records) {
        if (projected + record.bytes + 1 > maxBytes) break;
        projected += record.bytes + 1;
        index += 1;
      }
      if (index > 0) await file.append(jsonLines(index === records.length ? records : records.slice(0, index)));
      return records.slice(index);
    },
    async read(maxCount, maxBytes) {
      // Reads never go past completed appends.
      const durable = file.written;
      if (durable <= offset) return undefined;
      const handle = await open(path, 'r');
      try {
        let length = Math.min(Math.max(maxBytes, 64 * 1024), durable - offset);
        for (;;) {
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buffer, 0, length, offset);
          const lastNewline = buffer.lastIndexOf(0x0a, bytesRead - 1);
          if (lastNewline === -1) {
            // One line longer than the chunk: read more, up to what is durable.
            if (offset + length >= durable) return undefined;
            length = Math.min(length * 2, durable - offset);
            continue;
          }
          return parseLines(buffer.subarray(0, lastNewline + 1), offset, maxCount, maxBytes);
        }
      } finally {
        await handle.close();
      }
    },
    async commit(end) {
      offset = Math.max(offset, end);
      const emptied = await file.truncateIf(() => offset >= file.size);
      if (emptied) offset = 0;
      await saveOffset();
    },
    async close() {
      await file.close();
      await saveOffset();
    },
  };
}

function parseLines(chunk: Buffer, start: number, maxCount: number, maxBytes: number): SpoolBatch {
  const records: QueuedRecord[] = [];
  const corrupt: string[] = [];
  let position = 0;
  let taken = 0;
  while (position < chunk.length && records.length + corrupt.length < maxCount) {
    const newline = chunk.indexOf(0x0a, position);
    const bytes = newline - position;
    if (records.length > 0 && taken + bytes > maxBytes) break;
    const line = chunk.toString('utf8', position, newline);
    position = newline + 1;
    taken += bytes;
    if (line === '') continue;
    const id = recordId(line);
    if (id === undefined) corrupt.push(line);
    else records.push({ id, line, bytes });
  }
  return { records, corrupt, end: start + position };
}

/** A crash mid-append can leave a last line without its newline: close it so it reads as corrupt. */
async function terminateTornLine(path: string, file: AppendFile): Promise<void> {
  if (file.size === 0) return;
  const handle = await open(path, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, file.size - 1);
    if (last[0] !== 0x0a) await file.append('\n');
  } finally {
    await handle.close();
  }
}

async function readOffset(path: string, size: number): Promise<number> {
  try {
    const value = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isFinite(value) && value >= 0 && value <= size ? value : 0;
  } catch {
    return 0;
  }
}
