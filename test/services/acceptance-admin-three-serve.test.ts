/**
 * Issue 7 item 5 as written: three `aigw serve` processes (the built binary) on one real Redis
 * (AIGW_REDIS_URL). `aigw apply` to one replica → all three serve the new manifest within a second
 * (read from each replica's data plane, /v1/models); `aigw rollback` on another likewise; `aigw status`
 * over the three shows no drift; a replica started later loads the stored version, not its own file.
 * (test/services/admin-replicas.test.ts pins the same flows on in-process planes.)
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { tempDirectory } from '../e2e/helpers/gateway-harness.js';
import { spawnServe, type ServeProcess } from '../e2e/helpers/spawn-serve.js';
import { createTestIo } from '../helpers/io.js';
import { requireService } from '../helpers/services.js';

/** A Redis database of this file's own (quota-replicas uses 13), emptied first. */
const DATABASE = 12;
const SWAP_BUDGET_MS = 1_000;

const manifest = (model: string): string =>
  `ai_routes:\n  - { name: route-${model}, match: { model: "${model}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }\n`;

async function privateDatabase(t: TestContext, redisUrl: string): Promise<string> {
  const url = new URL(redisUrl);
  url.pathname = `/${DATABASE}`;
  const redis = new Redis(url.toString());
  t.after(async () => {
    await redis.flushdb();
    await redis.quit();
  });
  await redis.flushdb();
  return url.toString();
}

async function models(serve: ServeProcess): Promise<string> {
  const response = await fetch(`${serve.url}/v1/models`);
  return ((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id).join(',');
}

async function adminUrl(serve: ServeProcess): Promise<string> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    const match = /admin plane \(signed requests only\): (http:\/\/\S+)/.exec(serve.stderr());
    if (match?.[1] !== undefined) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`no admin URL in the banner:\n${serve.stderr()}`);
}

/** Polls every replica's data plane until all serve `model`; returns the ms it took. */
async function allServe(replicas: readonly ServeProcess[], model: string, budgetMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const seen = await Promise.all(replicas.map(models));
    if (seen.every((value) => value === model)) return performance.now() - started;
    if (performance.now() - started > budgetMs) assert.fail(`after ${budgetMs} ms the replicas serve ${seen.join(' | ')}, not ${model}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('three serve processes on one Redis: apply to one, all swap within a second; rollback likewise; no drift; a late replica loads the stored version', async (t) => {
  const sharedUrl = requireService(t, 'redis');
  if (sharedUrl === undefined) return;
  const redisUrl = await privateDatabase(t, sharedUrl);
  const directory = await tempDirectory(t, 'aigw-three-serve-');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyFile = join(directory, 'ops.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const env = {
    AIGW_REDIS_URL: redisUrl,
    AIGW_ADMIN_KEYS: `ops:ed25519:${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
    OPENAI_API_KEY: 'sk-unused',
  };
  const keyFlags = ['--key-id', 'ops', '--key-file', keyFile];
  const start = async (name: string, model: string): Promise<ServeProcess> => {
    const file = join(directory, `${name}.yaml`);
    writeFileSync(file, manifest(model));
    return spawnServe(t, [file, '--admin-port', '0', '--replica-id', name, '--audit-file', join(directory, `${name}.jsonl`), '--log-level', 'warn'], env);
  };

  // One after the other: the first seeds the empty store from its file, the others adopt it.
  const replicas: ServeProcess[] = [];
  for (const name of ['r1', 'r2', 'r3']) replicas.push(await start(name, 'alpha'));
  const admins = await Promise.all(replicas.map(adminUrl));
  await allServe(replicas, 'alpha', SWAP_BUDGET_MS);

  const next = join(directory, 'next.yaml');
  writeFileSync(next, manifest('beta'));
  const apply = createTestIo();
  assert.equal(await main(['apply', next, '--gateway', admins[1] ?? '', '--yes', '--if-match', 'auto', ...keyFlags], apply), ExitCode.Ok, apply.err());
  const swapMs = await allServe(replicas, 'beta', SWAP_BUDGET_MS);
  t.diagnostic(`all three replicas served the applied manifest ${Math.round(swapMs)} ms after apply returned`);

  const gateways = admins.flatMap((url) => ['--gateway', url]);
  const status = createTestIo();
  assert.equal(await main(['status', ...gateways, '--format', 'json', ...keyFlags], status), ExitCode.Ok, status.out() + status.err());
  const report = JSON.parse(status.out()) as { drift: boolean; versions: string[]; gateways: { replicaId: string; store: string }[] };
  assert.equal(report.drift, false);
  assert.equal(report.versions.length, 1);
  assert.deepEqual(report.gateways.map((row) => `${row.replicaId}/${row.store}`), ['r1/redis', 'r2/redis', 'r3/redis']);

  const rollback = createTestIo();
  assert.equal(await main(['rollback', '--gateway', admins[2] ?? '', ...keyFlags], rollback), ExitCode.Ok, rollback.err());
  await allServe(replicas, 'alpha', SWAP_BUDGET_MS);
  const after = createTestIo();
  assert.equal(await main(['status', ...gateways, ...keyFlags], after), ExitCode.Ok, after.out() + after.err());
  assert.match(after.out(), /in sync: 3 of 3 gateways/);

  // Its own file says "zeta"; Redis holds a version, so the late replica serves that one.
  const late = await start('r4', 'zeta');
  assert.equal(await models(late), 'alpha');
});
