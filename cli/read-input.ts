/**
 * Bounded reads of the CLI's other inputs (dry-run's --request, simulate's --scenario): a file, or
 * stdin for `-`. At most `maxBytes + 1` bytes are ever read, so /dev/zero or an endless pipe is
 * refused at once instead of filling memory; anything over the limit is an InputError (exit 2).
 */
import { resolve } from 'node:path';
import { readManifestFile } from '../runtime/manifest/read-source.js';
import type { Io } from './io.js';
import { describeIoError } from './describe-io-error.js';
import { InputError } from './usage-error.js';

export async function readBoundedInput(file: string, io: Io, maxBytes: number): Promise<Buffer> {
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? await io.readStdin(maxBytes) : await readManifestFile(resolve(io.cwd, file), maxBytes);
  } catch (error) {
    throw new InputError(`cannot read ${file === '-' ? 'standard input' : file}: ${describeIoError(error)}`, { cause: error });
  }
  if (bytes.byteLength > maxBytes) {
    throw new InputError(`${file === '-' ? 'standard input' : file} is larger than ${describeSize(maxBytes)}, the limit for this input`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `4 MiB (4194304 bytes)`. */
export function describeSize(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
