/**
 * deploy/Dockerfile, linted structurally (Docker is not available where the tests run, so the image
 * is not built here): multi-stage, non-root user in the final stage, `aigw serve` as entrypoint, a
 * HEALTHCHECK on /healthz, exposed ports equal to the settings' defaults, and every file the runtime
 * reads at run time copied in.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../../runtime/server/settings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Instruction { readonly keyword: string; readonly argument: string }

/** Instructions with line continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((line) => line.trim()).filter((line) => line !== '').map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), argument: rest.join(' ') };
  });
}

const instructions = parseDockerfile(readFileSync(join(root, 'deploy/Dockerfile'), 'utf8'));
const stages: Instruction[][] = [];
for (const instruction of instructions) {
  if (instruction.keyword === 'FROM') stages.push([]);
  stages[stages.length - 1]?.push(instruction);
}
const finalStage = stages[stages.length - 1] ?? [];
const defaultOf = (env: string) => SETTINGS.find((spec) => spec.env === env)?.defaultValue;

test('multi-stage: a build stage compiles, the final stage copies its output', () => {
  assert.ok(stages.length >= 2);
  assert.match(stages[0]?.[0]?.argument ?? '', /\bAS build$/i);
  assert.ok(stages[0]?.some((instruction) => instruction.keyword === 'RUN' && /npm ci\b/.test(instruction.argument)), 'npm ci (the lockfile) in the build stage');
  assert.ok(stages[0]?.some((instruction) => instruction.keyword === 'RUN' && /npm run build/.test(instruction.argument)));
  assert.ok(finalStage.some((instruction) => instruction.keyword === 'COPY' && /--from=build .*\/app\/dist/.test(instruction.argument)));
  assert.ok(!finalStage.some((instruction) => instruction.keyword === 'RUN' && /npm (ci|install)/.test(instruction.argument)), 'no dependency install in the final stage');
});

test('the final stage runs as a non-root user', () => {
  const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
  assert.ok(users.length > 0, 'USER is set');
  const last = users[users.length - 1]?.argument ?? '';
  assert.ok(!/^(root|0)(:|$)/.test(last), `USER ${last}`);
});

test('the final USER is numeric, so Kubernetes runAsNonRoot can verify it without a runAsUser', () => {
  // kubelet: "container has runAsNonRoot and image has non-numeric user (node), cannot verify user is non-root".
  const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
  const last = users[users.length - 1]?.argument ?? '';
  assert.match(last, /^[1-9]\d*(:\d+)?$/, `USER ${last}`);
});

test('the entrypoint is aigw serve, and the healthcheck asks /healthz on AIGW_PORT', () => {
  const entrypoint = finalStage.find((instruction) => instruction.keyword === 'ENTRYPOINT');
  assert.deepEqual(JSON.parse(entrypoint?.argument ?? '[]'), ['node', 'dist/cli/bin.js', 'serve']);
  const healthcheck = finalStage.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.argument ?? '';
  assert.match(healthcheck, /\/healthz/);
  assert.match(healthcheck, /AIGW_PORT/);
  assert.match(healthcheck, /--timeout=\d+s/);
});

test('exposed ports and listen settings match the runtime settings table', () => {
  const exposed = finalStage.filter((instruction) => instruction.keyword === 'EXPOSE').flatMap((instruction) => instruction.argument.split(/\s+/)).map(Number);
  assert.deepEqual(exposed, [defaultOf('AIGW_PORT'), defaultOf('AIGW_ADMIN_PORT')]);
  const environment = finalStage.filter((instruction) => instruction.keyword === 'ENV').map((instruction) => instruction.argument).join(' ');
  for (const [name] of environment.matchAll(/\bAIGW_[A-Z_]+(?==)/g)) assert.ok(SETTINGS.some((spec) => spec.env === name), `${name} is not a setting`);
  assert.match(environment, /AIGW_HOST=0\.0\.0\.0/);
  assert.match(environment, new RegExp(`AIGW_PORT=${String(defaultOf('AIGW_PORT'))}\\b`));
});

test('everything the runtime reads is in the image, and the build context allows it', () => {
  const copied = finalStage.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.argument);
  for (const folder of ['dist', 'node_modules', 'schemas', 'fixtures', 'package.json']) {
    assert.ok(copied.some((argument) => new RegExp(`(^|[ /])${folder}\\b`).test(argument)), `${folder} is copied`);
  }
  const ignore = readFileSync(join(root, 'deploy/Dockerfile.dockerignore'), 'utf8');
  for (const instruction of instructions.filter((entry) => entry.keyword === 'COPY' && !entry.argument.startsWith('--from'))) {
    for (const source of instruction.argument.split(/\s+/).slice(0, -1)) {
      assert.ok(existsSync(join(root, source)), `${source} exists in the repository`);
      assert.ok(ignore.includes(`!${source}`), `${source} is let through Dockerfile.dockerignore`);
    }
  }
});
