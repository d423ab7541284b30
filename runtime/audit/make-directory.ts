/**
 * `mkdir -p`, one level at a time. Node's own `mkdir(path, { recursive: true })` never returns for a
 * path under a directory that refuses new entries with ENOENT (`/proc/nope/x`: Node 20 loops at full
 * CPU), which left `aigw serve --audit-file /proc/nope/x` hung before its banner, deaf to SIGTERM.
 * Here the first missing level that cannot be made fails at once, with the system's error.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function makeDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    const found = await stat(current).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    });
    if (found) break;
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing) {
    await mkdir(directory).catch((error: NodeJS.ErrnoException) => {
      // Made meanwhile by someone else: fine.
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
