/**
 * The lines of a file, read as a stream, each at most `maxBytes` long: a longer one (a corrupt or
 * NUL-filled file, a wrong --file) is reported as `undefined` and skipped up to its newline, never
 * accumulated — readline would build it whole, past V8's string limit, and crash the command.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Far above any audit record (full capture is bounded by max_capture_chars). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Yields each line without its newline (and a trailing '\r'), or undefined for one over the limit. */
export async function* boundedLines(file: string, maxBytes = MAX_LINE_BYTES): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = [];
  let length = 0;
  let overlong = false;
  const finish = (): string | undefined => {
    const line = overlong ? undefined : new StringDecoder('utf8').end(Buffer.concat(parts, length));
    parts = [];
    length = 0;
    overlong = false;
    return line?.endsWith('\r') === true ? line.slice(0, -1) : line;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      take(chunk.subarray(start, at));
      yield finish();
      start = at + 1;
    }
    take(chunk.subarray(start));
  }
  if (length > 0 || overlong) yield finish();

  function take(piece: Buffer): void {
    if (overlong || piece.length === 0) return;
    if (length + piece.length > maxBytes) {
      overlong = true;
      parts = [];
      length = 0;
      return;
    }
    parts.push(piece);
    length += piece.length;
  }
}
