/**
 * The bounded in-memory queue between the request path and the sinks: a ring buffer, so push and
 * shift are O(1) and a burst never reallocates. Bounded by count and by bytes (records carry
 * captured prompts, so their size varies a thousandfold).
 */

/** A serialized record: its document id (the Elasticsearch `_id`: event.id, else the request id) and its JSON line without newline. */
export interface QueuedRecord {
  readonly id: string;
  readonly line: string;
  /** UTF-8 byte length of `line`. */
  readonly bytes: number;
}

export interface RecordQueue {
  readonly size: number;
  readonly bytes: number;
  /** False (and nothing stored) when either bound would be exceeded. */
  push(record: QueuedRecord): boolean;
  /** Removes up to `maxCount` records and about `maxBytes` bytes from the head (at least one when not empty). */
  take(maxCount: number, maxBytes: number): QueuedRecord[];
}

export function createRecordQueue(capacity: number, maxBytes: number): RecordQueue {
  const slots: (QueuedRecord | undefined)[] = new Array<QueuedRecord | undefined>(Math.max(1, capacity));
  let head = 0;
  let size = 0;
  let bytes = 0;
  return {
    get size() { return size; },
    get bytes() { return bytes; },
    push(record) {
      if (size === slots.length || bytes + record.bytes > maxBytes) return false;
      slots[(head + size) % slots.length] = record;
      size += 1;
      bytes += record.bytes;
      return true;
    },
    take(maxCount, maxTakeBytes) {
      const taken: QueuedRecord[] = [];
      let takenBytes = 0;
      while (size > 0 && taken.length < maxCount) {
        const record = slots[head];
        if (record === undefined) break;
        if (taken.length > 0 && takenBytes + record.bytes > maxTakeBytes) break;
        slots[head] = undefined;
        head = (head + 1) % slots.length;
        size -= 1;
        bytes -= record.bytes;
        takenBytes += record.bytes;
        taken.push(record);
      }
      return taken;
    },
  };
}

/**
 * The document id of a record read back as a line (from the spool): the id it was queued with —
 * `event.id`, else the request id — so a replayed record overwrites its own Elasticsearch document
 * instead of another request's with the same x-request-id, or a second copy of itself. Undefined
 * when the line is not a record.
 */
export function recordId(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as { event?: unknown; http?: { request?: { id?: unknown } } } | null;
    const requestId = record?.http?.request?.id;
    if (typeof requestId !== 'string' || requestId === '') return undefined;
    return documentId(record as RecordIds);
  } catch {
    return undefined;
  }
}

/**
 * Where a record written straight as its JSON line (record-line.ts) carries its queued form: such a
 * record has only its ids as fields, and its line is queued as is instead of being serialised again.
 */
export const QUEUED_LINE: unique symbol = Symbol('aigw.audit.queued-line');

type RecordIds = { readonly event?: unknown; readonly http: { readonly request: { readonly id: string } } };

/** Serializes a record for the queue (once, on the request path: the bytes bound needs the size). */
export function toQueuedRecord(record: RecordIds & { readonly [QUEUED_LINE]?: QueuedRecord }): QueuedRecord {
  const queued = record[QUEUED_LINE];
  if (queued !== undefined) return queued;
  const line = JSON.stringify(record);
  return { id: documentId(record), line, bytes: Buffer.byteLength(line) };
}

/** A record's line as queued, with the id toQueuedRecord would give the record. */
export function queuedLine(record: RecordIds, line: string): QueuedRecord {
  return { id: documentId(record), line, bytes: Buffer.byteLength(line) };
}

/** `event.id` (unique per record, gateway-made) when present, else the request id. */
function documentId(record: RecordIds): string {
  const event = record.event;
  if (typeof event === 'object' && event !== null && 'id' in event && typeof event.id === 'string' && event.id !== '') return event.id;
  return record.http.request.id;
}

/**
 * The records as JSON Lines, encoded straight into one buffer of the size their byte counts add up
 * to: joining them into one string first, then measuring and encoding it, walked every batch three
 * times (issue 8 profile: about 1 µs per record).
 */
export function jsonLines(records: readonly QueuedRecord[]): Buffer {
  let bytes = 0;
  for (const record of records) bytes += record.bytes + 1;
  const batch = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const record of records) {
    const written = batch.write(record.line, offset);
    // A byte count that does not match its line (never made by the queue) must not cut a record short.
    if (written !== record.bytes) return Buffer.from(records.map((each) => `${each.line}\n`).join(''));
    offset += written;
    batch[offset] = 0x0a;
    offset += 1;
  }
  return batch;
}
