#!/usr/bin/env node
// Runs the test suite with Node's built-in runner (TypeScript via tsx). Node 20's --test does not
// expand globs, so the files are found here. Arguments narrow the run: files, folders or substrings.
// Every test has a time limit (AIGW_TEST_TIMEOUT_MS, default 180 s): a hang is a failure, not a stuck CI.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function walk(directory) {
  const files = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...walk(path));
    else if (entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx')) files.push(path);
  }
  return files;
}

const filters = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const flags = process.argv.slice(2).filter((argument) => argument.startsWith('--'));
let files = walk(join(root, 'test')).map((file) => relative(root, file)).sort();
if (filters.length > 0) {
  files = files.filter((file) => filters.some((filter) => {
    try {
      if (statSync(join(root, filter)).isDirectory()) return file.startsWith(relative(root, join(root, filter)));
    } catch { /* not a path: a substring */ }
    return file.includes(filter);
  }));
}
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const reporter = process.env.AIGW_TEST_REPORTER ?? (process.stdout.isTTY ? 'spec' : 'spec');
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', `--test-reporter=${reporter}`, '--test-concurrency=2', `--test-timeout=${process.env.AIGW_TEST_TIMEOUT_MS ?? 180000}`, ...flags, ...files,
], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
