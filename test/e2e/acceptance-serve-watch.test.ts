/**
 * Issue 7 item 6 through the real binary: `aigw serve FILE --watch` on a manifest mounted the way
 * kubelet mounts a ConfigMap (FILE → ..data/FILE, ..data → a timestamped folder, updates swap the
 * ..data symlink). The watcher unit test pins the watcher on a config plane; this pins that `serve`
 * wires it: a swap goes live, an invalid file keeps the live config and logs its diagnostics, and an
 * in-place edit reloads too. The live config is read from /v1/models (open gateway: every route).
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually, tempDirectory } from './helpers/gateway-harness.js';
import { spawnServe } from './helpers/spawn-serve.js';

const manifest = (model: string): string =>
  `ai_routes:\n  - { name: route-${model}, match: { model: "${model}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`;

async function models(url: string): Promise<string> {
  const response = await fetch(`${url}/v1/models`);
  const body = await response.json() as { data: { id: string }[] };
  return body.data.map((model) => model.id).join(',');
}

/** A folder laid out as kubelet lays out a mounted ConfigMap; `rotate` is kubelet's atomic update. */
function configMap(directory: string, text: string): { path: string; rotate(next: string): void; target(): string } {
  let generation = 0;
  const writeGeneration = (content: string): string => {
    generation += 1;
    const name = `..2026_01_01_00_00_0${generation}.000000001`;
    mkdirSync(join(directory, name));
    writeFileSync(join(directory, name, 'routes.yaml'), content);
    return name;
  };
  let current = writeGeneration(text);
  symlinkSync(current, join(directory, '..data'));
  symlinkSync(join('..data', 'routes.yaml'), join(directory, 'routes.yaml'));
  return {
    path: join(directory, 'routes.yaml'),
    rotate(next) {
      const previous = current;
      current = writeGeneration(next);
      symlinkSync(current, join(directory, '..data_tmp'));
      renameSync(join(directory, '..data_tmp'), join(directory, '..data'));
      rmSync(join(directory, previous), { recursive: true, force: true });
    },
    target: () => join(directory, current, 'routes.yaml'),
  };
}

test('serve --watch follows a ConfigMap symlink swap and keeps the live config (logging why) on an invalid one', async (t) => {
  const directory = await tempDirectory(t, 'aigw-watch-');
  const mounted = configMap(directory, manifest('alpha'));
  const serve = await spawnServe(t, [mounted.path, '--watch', '--audit-file', join(directory, 'audit.jsonl')], { OPENAI_API_KEY: 'sk-unused' });
  assert.equal(await models(serve.url), 'alpha');

  mounted.rotate(manifest('beta'));
  await eventually(async () => ((await models(serve.url)) === 'beta' ? true : undefined), 5_000, 'the ConfigMap swap to go live');

  mounted.rotate('ai_routes:\n  - { name: broken, match: { model: "gamma" }, targets: [ { provider: openai, model: m, weight: -1 } ] }\n');
  const logs = (): string => serve.stdout() + serve.stderr();
  await eventually(() => (logs().includes('route/weight-invalid') ? true : undefined), 5_000, 'the invalid file\'s diagnostics in the log');
  assert.equal(await models(serve.url), 'beta', 'the invalid file kept the live config');

  mounted.rotate(manifest('delta'));
  await eventually(async () => ((await models(serve.url)) === 'delta' ? true : undefined), 5_000, 'a good swap after the invalid one');
  // Every reload is counted by its outcome.
  const metrics = await (await fetch(`${serve.url}/metrics`)).text();
  assert.match(metrics, /^aigw_config_reloads_total\{result="applied"\} 2$/m);
  assert.match(metrics, /^aigw_config_reloads_total\{result="invalid"\} 1$/m);
});

test('serve --watch reloads a plain file saved in place (an editor save)', async (t) => {
  const directory = await tempDirectory(t, 'aigw-watch-plain-');
  const file = join(directory, 'routes.yaml');
  writeFileSync(file, manifest('alpha'));
  const serve = await spawnServe(t, [file, '--watch', '--audit-file', join(directory, 'audit.jsonl')], { OPENAI_API_KEY: 'sk-unused' });
  assert.equal(await models(serve.url), 'alpha');
  writeFileSync(file, manifest('beta'));
  await eventually(async () => ((await models(serve.url)) === 'beta' ? true : undefined), 5_000, 'the in-place edit to go live');
});

test('serve --watch reloads when the file a symlinked manifest points to is edited in place', async (t) => {
  const directory = await tempDirectory(t, 'aigw-watch-link-');
  const mounted = configMap(directory, manifest('alpha'));
  const serve = await spawnServe(t, [mounted.path, '--watch', '--audit-file', join(directory, 'audit.jsonl')], { OPENAI_API_KEY: 'sk-unused' });
  assert.equal(await models(serve.url), 'alpha');
  writeFileSync(mounted.target(), manifest('beta'));
  await eventually(async () => ((await models(serve.url)) === 'beta' ? true : undefined), 3_000, 'the edit of the symlink target to go live');
});

test('without --watch a changed file changes nothing (the control case)', async (t) => {
  const directory = await tempDirectory(t, 'aigw-nowatch-');
  const file = join(directory, 'routes.yaml');
  writeFileSync(file, manifest('alpha'));
  const serve = await spawnServe(t, [file, '--audit-file', join(directory, 'audit.jsonl')], { OPENAI_API_KEY: 'sk-unused' });
  writeFileSync(file, manifest('beta'));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(await models(serve.url), 'alpha');
});
