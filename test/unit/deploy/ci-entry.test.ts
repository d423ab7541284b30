/**
 * The project skeleton's promise (issue 3 item 1, the brief): the README opens with exactly the two
 * set-up commands; `.ci/run` runs `npm ci`, the test services and `npm test`, nothing the README does
 * not show; GitHub Actions runs `.ci/run` on every supported Node.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

test('the README opens with the two set-up commands: npm install && npm start, then npm test', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
  const commands = firstBlock.split('\n').filter((line) => line.trim() !== '').map((line) => line.replace(/\s+#.*$/, '').trim());
  assert.deepEqual(commands, ['npm install && npm start', 'npm test']);
});

test('.ci/run is npm ci, the test services, then npm test under CI=true', () => {
  const steps = read('.ci/run').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const npmCi = steps.indexOf('npm ci');
  const services = steps.findIndex((line) => line.includes('scripts/services.sh start'));
  const npmTest = steps.indexOf('CI=true npm test');
  assert.ok(npmCi >= 0 && services > npmCi && npmTest > services, steps.join('\n'));
  assert.equal(steps.filter((line) => /\bnpm (run|exec|install|i)\b|\bnpx\b/.test(line)).length, 0, 'no command the README does not show');
});

test('GitHub Actions runs .ci/run on Node 20, 22 and 24', () => {
  const workflow = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { strategy?: { matrix?: { node?: unknown } }; steps: { run?: string; with?: Record<string, unknown> }[] }> };
  const job = Object.values(workflow.jobs)[0];
  assert.ok(job !== undefined);
  assert.deepEqual(job.strategy?.matrix?.node, [20, 22, 24]);
  assert.ok(job.steps.some((step) => step.run?.trim() === '.ci/run'));
  assert.ok(job.steps.some((step) => step.with?.['node-version'] === '${{ matrix.node }}'));
});
