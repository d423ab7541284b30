/**
 * Bounded reading and decoding of manifest text. Reading never takes more than the size limit plus
 * one byte (a 5 GB file or an endless pipe costs 1 MiB), and decoding turns invalid UTF-8, binary
 * control characters and a BOM into a diagnostic or a clean string — never an exception.
 */
import { open } from 'node:fs/promises';
import type { SourcePosition } from './positions.js';
import { createLineMap } from './positions.js';

/** 1 MiB: a routes file is a few kilobytes; anything this large is generated or hostile. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Reads at most `maxBytes + 1` bytes of a file, so the loader can tell "too large" without reading a
 * huge file whole. Works for regular files, FIFOs and devices. I/O errors (ENOENT, EISDIR, EACCES)
 * propagate: they are usage errors for the caller, not manifest findings.
 */
export async function readManifestFile(path: string, maxBytes = MAX_MANIFEST_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Reads a stream (stdin) up to `maxBytes + 1` bytes, then stops consuming it. */
export async function readBoundedStream(stream: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxBytes = MAX_MANIFEST_BYTES): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of stream) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    parts.push(bytes);
    total += bytes.length;
    if (total > maxBytes) break;
  }
  return Buffer.concat(parts).subarray(0, Math.min(total, maxBytes + 1));
}

export type DecodedSource =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: 'too-large' | 'not-utf8' | 'control-character'; readonly message: string; readonly position: SourcePosition };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Size check, UTF-8 check, BOM removal and the control-character check, in that order. */
export function decodeSource(input: string | Uint8Array, maxBytes = MAX_MANIFEST_BYTES): DecodedSource {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) {
    return { ok: false, problem: 'too-large', message: `the file is larger than ${maxBytes} bytes`, position: { line: 1, column: 1 } };
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const invalidAt = firstInvalidUtf8(input);
    if (invalidAt !== -1) {
      const prefix = new TextDecoder('utf-8').decode(input.subarray(0, invalidAt));
      const utf16 = input.length >= 2 && ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff));
      const message = `invalid UTF-8 byte 0x${(input[invalidAt] ?? 0).toString(16).padStart(2, '0')} at offset ${invalidAt}${utf16 ? ' (the file looks like UTF-16)' : ''}`;
      return { ok: false, problem: 'not-utf8', message, position: createLineMap(prefix)(prefix.length) };
    }
    text = utf8.decode(input);
  }
  // TextDecoder already drops a leading BOM from bytes; strings may still carry one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // YAML allows only printable characters (YAML 1.2 §5.1): NUL and friends mean binary data.
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return {
      ok: false,
      problem: 'control-character',
      message: `binary data: control character U+${code} is not allowed in a YAML file`,
      position: createLineMap(text)(control.index),
    };
  }
  return { ok: true, text };
}

/** Offset of the first byte that starts an invalid UTF-8 sequence, or -1 (RFC 3629 §4). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const first = bytes[index] ?? 0;
    if (first < 0x80) { index += 1; continue; }
    let length: number;
    let minimum: number;
    if (first >= 0xc2 && first <= 0xdf) { length = 2; minimum = 0x80; }
    else if (first >= 0xe0 && first <= 0xef) { length = 3; minimum = 0x800; }
    else if (first >= 0xf0 && first <= 0xf4) { length = 4; minimum = 0x10000; }
    else return index;
    if (index + length > bytes.length) return index;
    let codePoint = first & (0xff >> (length + 1));
    for (let offset = 1; offset < length; offset += 1) {
      const next = bytes[index + offset] ?? 0;
      if ((next & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < minimum || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += length;
  }
  return -1;
}
