/**
 * Which files of a package a fresh Node process has loaded after running a script: for tests that pin
 * a heavy dependency to its first use (issue 8's memory benchmark counts every MB of a gateway's
 * baseline). CommonJS packages imported from ESM are in the CommonJS cache too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A runtime module's file URL, for `await import(…)` inside the script. */
export function runtimeModuleUrl(path: string): string {
  return pathToFileURL(fileURLToPath(new URL(`../../runtime/${path}`, import.meta.url))).href;
}

/** Runs `script` (an ES module body, top-level await allowed) and lists the loaded files under node_modules/`packagePath`/. */
export function packageFilesLoadedAfter(script: string, packagePath: string): string[] {
  const probe = `
    import { createRequire } from 'node:module';
    ${script}
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes(${JSON.stringify(`/node_modules/${packagePath}/`)}));
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}
