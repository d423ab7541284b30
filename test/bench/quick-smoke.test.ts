/**
 * The benchmark harness must not rot (issue 8 item 5): its quick mode runs here, inside `npm test`,
 * so the one CI entry point (.ci/run) exercises it. Figures are not judged — a loaded test machine
 * says nothing about speed — only that every row ran, answered without failures and was measured,
 * and that results.json carries the ratios and targets the full run reports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDirectory } from '../e2e/helpers/gateway-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Row { readonly id: string; readonly rps50: number; readonly rps1: number; readonly cpuUsPerRequest50: number; readonly failures: number }
interface Results {
  readonly mode: string;
  readonly rows: readonly Row[];
  readonly ratios: { readonly aigwOverFloor: Readonly<Record<string, number>> };
  readonly targets: readonly { readonly id: string; readonly value: number; readonly pass: boolean }[];
  readonly memory: { readonly slowStreams: { readonly streams: number; readonly completed: number } };
}

test('npm run bench -- --quick measures every row and writes results.json', async (t) => {
  const directory = await tempDirectory(t);
  const out = join(directory, 'results.json');
  // Peers are optional installs (--install-peers); the smoke covers aigw's own rows.
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--quick', '--no-peers', '--out', out], {
    cwd: ROOT, encoding: 'utf8', timeout: 150_000, env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(run.status, 0, `bench --quick failed:\n${run.stderr.slice(-3_000)}`);
  const results = JSON.parse(await readFile(out, 'utf8')) as Results;
  assert.equal(results.mode, 'quick');
  const ids = results.rows.map((row) => row.id);
  for (const id of ['direct', 'floor', 'aigw-openai', 'aigw-anthropic', 'aigw-secure', 'direct-stream', 'floor-stream', 'aigw-openai-stream', 'aigw-anthropic-stream']) {
    assert.ok(ids.includes(id), `row ${id} missing (rows: ${ids.join(', ')})`);
  }
  for (const row of results.rows) {
    assert.equal(row.failures, 0, `${row.id}: failed requests`);
    assert.ok(row.rps50 > 0 && row.rps1 > 0 && row.cpuUsPerRequest50 > 0, `${row.id}: not measured (${JSON.stringify(row)})`);
  }
  assert.ok(results.ratios.aigwOverFloor['aigw-openai'] !== undefined && results.ratios.aigwOverFloor['aigw-openai'] > 0);
  assert.ok(results.targets.some((target) => target.id === 'c-vs-floor'), 'the (c) ÷ floor target is reported');
  assert.equal(results.memory.slowStreams.completed, results.memory.slowStreams.streams, 'every slow stream ended with [DONE]');
});
