/**
 * Locates the package root (where schemas/, fixtures/ and examples/ live) from this module's URL, so
 * the same code works from `runtime/` under tsx and from `dist/runtime/` after the build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) || !existsSync(join(directory, 'schemas'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('aigw package root not found');
    directory = parent;
  }
  cachedRoot = directory;
  return directory;
}

export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

export function readPackageJson(): { readonly name: string; readonly version: string } {
  return JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { name: string; version: string };
}
