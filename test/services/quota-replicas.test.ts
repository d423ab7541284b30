/**
 * Two `aigw serve` processes sharing one real Redis (scripts/services.sh; AIGW_TEST_REDIS_URL) spend
 * ONE credential budget between them (design §8, §10.3): concurrent requests spread over both
 * replicas never exceed the request budget, and the tokens one replica settles weigh on the other's
 * next admission. The official `openai` SDK is the client; providers are `aigw mock`.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import OpenAI, { APIError } from 'openai';
import { estimatePromptTokens } from '../../runtime/quota/estimate-tokens.js';
import { eventually, mockProviders, startTestMock, tempDirectory } from '../e2e/helpers/gateway-harness.js';
import { spawnServe } from '../e2e/helpers/spawn-serve.js';
import { requireService } from '../helpers/services.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const messages = [{ role: 'user' as const, content: 'Hi' }];
const OPENAI_USAGE = 32;

/**
 * A Redis database of this file's own, emptied first: with AIGW_REDIS_URL a replica also adopts the
 * manifest stored by the config plane (design §8), so a store left by an earlier run (or another test)
 * would replace the manifest written here.
 */
const DATABASE = 13;

async function privateDatabase(t: TestContext, redisUrl: string): Promise<string> {
  const url = new URL(redisUrl);
  url.pathname = `/${DATABASE}`;
  const redis = new Redis(url.toString());
  t.after(() => redis.quit());
  await redis.flushdb();
  return url.toString();
}

/**
 * Starts the mock and two replicas on one Redis; the credential id is unique per run (Redis keeps
 * counters a minute). `namespaces` gives each replica its own AIGW_REDIS_PREFIX (default: shared).
 */
async function replicas(
  t: TestContext, sharedRedisUrl: string, quota: string, namespaces?: [string, string], providerLimits?: string,
): Promise<{ clients: [OpenAI, OpenAI]; credential: string; redisUrl: string; upstreamCalls: () => number }> {
  const redisUrl = await privateDatabase(t, sharedRedisUrl);
  const mock = await startTestMock(t);
  const directory = await tempDirectory(t);
  const credential = `replicas-${randomUUID()}`;
  const manifestFile = join(directory, 'routes.yaml');
  await writeFile(manifestFile, `
${mockProviders(mock.url, { openai: 'openai' }, providerLimits === undefined ? {} : { openai: `limits: { ${providerLimits} }` })}
credentials:
  - { id: "${credential}", key_sha256: "${sha256('sk-replicas')}", quota: { ${quota} } }
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
`);
  const env = { AIGW_REDIS_URL: redisUrl, AIGW_QUOTA_ON_STORE_ERROR: 'deny' };
  const [first, second] = await Promise.all(['a', 'b'].map((name, index) =>
    spawnServe(t, [manifestFile, '--audit-file', join(directory, `audit-${name}.jsonl`), '--replica-id', name, '--log-level', 'warn'],
      namespaces === undefined ? env : { ...env, AIGW_REDIS_PREFIX: namespaces[index] })));
  assert.ok(first !== undefined && second !== undefined);
  const client = (url: string): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-replicas', maxRetries: 0 });
  return { clients: [client(first.url), client(second.url)], credential, redisUrl, upstreamCalls: () => mock.log().length };
}

async function outcome(client: OpenAI, maxTokens?: number): Promise<string> {
  try {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages, ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) });
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof APIError && error.status === 429, String(error));
    assert.equal(error.code, 'rate_limit_exceeded');
    return String(error.type);
  }
}

test('two serve replicas on one Redis admit exactly one request budget between them', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const { clients } = await replicas(t, url, 'requests_per_minute: 10');
  const results = await Promise.all(Array.from({ length: 30 }, (_, index) => outcome(clients[index % 2] as OpenAI)));
  assert.equal(results.filter((result) => result === 'ok').length, 10, JSON.stringify(results));
  assert.equal(results.filter((result) => result === 'requests').length, 20);
  // Neither replica fell back to a local count: each still refuses.
  assert.equal(await outcome(clients[0]), 'requests');
  assert.equal(await outcome(clients[1]), 'requests');
});

test('tokens settled by one replica weigh on the next admission of the other', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const { clients, credential, redisUrl } = await replicas(t, url, 'tokens_per_minute: 80');
  const redis = new Redis(redisUrl);
  t.after(() => redis.quit());
  const counted = async (): Promise<number> => Number(await redis.hget(`aigw:quota:{credential:${credential}}`, 'tc') ?? 0);
  // Each reserves 9 (estimate + max_tokens 1) and uses 32: after 0, 32, 64 counted the next 9 no longer fit in 80.
  assert.equal(estimatePromptTokens({ messages }) + 1, 9);
  const results: string[] = [];
  for (let index = 0; index < 5; index += 1) {
    results.push(await outcome(clients[index % 2] as OpenAI, 1));
    const admitted = results.filter((result) => result === 'ok').length;
    await eventually(async () => ((await counted()) === admitted * OPENAI_USAGE ? true : undefined), 2_000, 'the settle reached Redis');
  }
  assert.deepEqual(results, ['ok', 'ok', 'ok', 'tokens', 'tokens']);
  assert.equal(await counted(), 3 * OPENAI_USAGE);
});

test('gateways with their own AIGW_REDIS_PREFIX on one Redis keep their own budgets and config', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const { clients, credential, redisUrl } = await replicas(t, url, 'requests_per_minute: 3', ['team-a', 'team-b']);
  const first = [];
  for (let index = 0; index < 4; index += 1) first.push(await outcome(clients[0]));
  assert.deepEqual(first, ['ok', 'ok', 'ok', 'requests'], 'the first gateway spends its own budget');
  const second = [];
  for (let index = 0; index < 4; index += 1) second.push(await outcome(clients[1]));
  assert.deepEqual(second, ['ok', 'ok', 'ok', 'requests'], 'the second has a budget of its own');
  const redis = new Redis(redisUrl);
  t.after(() => redis.quit());
  assert.deepEqual((await redis.keys('team-a:quota:*')).sort(), [`team-a:quota:{credential:${credential}}`]);
  assert.deepEqual((await redis.keys('team-b:quota:*')).sort(), [`team-b:quota:{credential:${credential}}`]);
  assert.deepEqual(await redis.keys('aigw:*'), [], 'nothing under the default namespace');
  // Each gateway's config plane seeds a store of its own.
  await eventually(async () => ((await redis.exists('team-a:{config}:current', 'team-b:{config}:current')) === 2 ? true : undefined), 5_000, 'both config stores seeded');
});

test('a provider\'s limits are one ceiling for the fleet: two replicas on one Redis together stay under it', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const { clients, upstreamCalls, redisUrl } = await replicas(t, url, 'requests_per_minute: 100', undefined, 'requests_per_minute: 2');
  const statuses: number[] = [];
  for (let index = 0; index < 6; index += 1) {
    try {
      await (clients[index % 2] as OpenAI).chat.completions.create({ model: 'gpt-4o-mini', messages });
      statuses.push(200);
    } catch (error) {
      assert.ok(error instanceof APIError, String(error));
      statuses.push(error.status ?? 0);
    }
  }
  assert.deepEqual(statuses.slice(0, 2), [200, 200]);
  assert.ok(statuses.slice(2).every((status) => status !== 200), JSON.stringify(statuses));
  assert.equal(upstreamCalls(), 2, 'the provider saw its ceiling, not twice it');
  const redis = new Redis(redisUrl);
  t.after(() => redis.quit());
  assert.deepEqual(await redis.keys('aigw:quota:{provider:*'), ['aigw:quota:{provider:openai}']);
});
