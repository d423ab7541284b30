/**
 * Credential quotas end to end (design §5, issue 9 item 5) with the official `openai` SDK: requests
 * and tokens per minute checked before any provider call, tokens reserved at admission and settled
 * with the real usage (streams too), concurrent requests never over the request budget, the token
 * overshoot within the bound the README states (runtime section, "Quotas"), and the Redis
 * store-error policy wired to AIGW_QUOTA_ON_STORE_ERROR (never a hang).
 *
 * The limiter runs on a frozen wall clock so that no test straddles a minute boundary.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import OpenAI, { APIError } from 'openai';
import { realClock, type Clock } from '../../runtime/clock.js';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { createMemoryLimiter, type MemoryLimiter } from '../../runtime/quota/memory-limiter.js';
import { estimatePromptTokens } from '../../runtime/quota/estimate-tokens.js';
import { collect, eventually, metricValue, mockProviders, startTestGateway, startTestMock, suiteScope, type GatewayHandle } from './helpers/gateway-harness.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const messages = [{ role: 'user' as const, content: 'Hi' }];
/** The openai fixtures' usage (chat and chat-stream). */
const OPENAI_USAGE = 32;

const KEYS = {
  requests: 'sk-quota-requests',
  tokens: 'sk-quota-tokens',
  settle: 'sk-quota-settle',
  stream: 'sk-quota-stream',
  sequential: 'sk-quota-sequential',
  concurrent: 'sk-quota-concurrent',
  release: 'sk-quota-release',
} as const;

const frozen: Clock = { ...realClock, now: () => 1_767_225_630_000 };

function manifest(mock: RunningMock): string {
  const credential = (id: keyof typeof KEYS, quota: string): string => `  - { id: ${id}, key_sha256: "${sha256(KEYS[id])}", quota: { ${quota} } }`;
  return `
${mockProviders(mock.url, { openai: 'openai' })}
credentials:
${credential('requests', 'requests_per_minute: 10')}
${credential('tokens', 'tokens_per_minute: 200')}
${credential('settle', 'tokens_per_minute: 100000')}
${credential('stream', 'tokens_per_minute: 100000')}
${credential('sequential', 'tokens_per_minute: 80')}
${credential('concurrent', 'tokens_per_minute: 100')}
${credential('release', 'tokens_per_minute: 150')}
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
    default_max_tokens: 500
`;
}

/** Outcome of one request: 'ok', or the 429's exceeded type. */
async function attempt(client: OpenAI, body: Parameters<OpenAI['chat']['completions']['create']>[0]): Promise<string> {
  try {
    const answer = await client.chat.completions.create({ ...body, stream: false });
    assert.equal(answer.object, 'chat.completion');
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof APIError && error.status === 429, String(error));
    assert.equal(error.code, 'rate_limit_exceeded');
    // A cost that can never fit says so instead of promising a retry (see the tokens test below).
    if (error.headers?.get('x-should-retry') !== 'false') assert.match(error.headers?.get('retry-after') ?? '', /^\d+$/);
    return String(error.type);
  }
}

describe('credential quotas', () => {
  let mock: RunningMock;
  let handle: GatewayHandle;
  let limiter: MemoryLimiter;
  const scope = suiteScope(after);
  const client = (key: keyof typeof KEYS): OpenAI => handle.newClient({ apiKey: KEYS[key] });
  const counted = (key: keyof typeof KEYS): { requests: number; tokens: number } => {
    const state = limiter.peek(`credential:${key}`);
    return { requests: state?.requests.current ?? 0, tokens: state?.tokens.current ?? 0 };
  };
  before(async () => {
    mock = await startTestMock(scope);
    limiter = createMemoryLimiter(frozen);
    handle = await startTestGateway(scope, manifest(mock), { overrides: { quota: limiter } });
  });

  test('30 concurrent requests against requests_per_minute: 10 — exactly 10 answered, 20 refused before any provider call', async () => {
    mock.clearLog();
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => attempt(client('requests'), { model: 'gpt-4o-mini', messages })));
    assert.equal(outcomes.filter((outcome) => outcome === 'ok').length, 10);
    assert.equal(outcomes.filter((outcome) => outcome === 'requests').length, 20);
    assert.equal(mock.log().length, 10, 'refused requests never reached a provider');
    assert.equal(counted('requests').requests, 10, 'refusals count nothing');
    assert.equal(metricValue(await handle.metricsText(), 'aigw_quota_rejections_total', { credential: 'requests', exceeded: 'requests' }), 20);
  });

  test('a reservation over the whole tokens_per_minute is refused as tokens, without a Retry-After and with x-should-retry: false: no window will ever hold it', async () => {
    // Reserved: the prompt estimate + max_tokens 500 > 200. maxRetries: the SDK must not retry it either.
    mock.clearLog();
    const error = await handle.newClient({ apiKey: KEYS.tokens, maxRetries: 2 }).chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 500 }).catch((caught: unknown) => caught);
    assert.ok(error instanceof APIError && error.status === 429);
    assert.equal(error.type, 'tokens');
    assert.equal(error.headers?.get('retry-after'), null);
    assert.equal(error.headers?.get('x-should-retry'), 'false');
    assert.match(error.message, /Request too large for credential 'tokens' on tokens per min: limit 200, requested \d+ .*retrying will not help/);
    assert.equal(counted('tokens').requests, 0, 'nothing was admitted');
    assert.equal(mock.log().length, 0);
    // Without max_tokens the route's default_max_tokens (500) is reserved: refused too.
    assert.equal(await attempt(client('tokens'), { model: 'gpt-4o-mini', messages }), 'tokens');
    assert.equal(await attempt(client('tokens'), { model: 'gpt-4o-mini', messages, max_tokens: 100 }), 'ok');
  });

  test('the reservation is settled with the real usage of the answer', async () => {
    await client('settle').chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 1000 });
    await eventually(() => (counted('settle').tokens === OPENAI_USAGE ? true : undefined), 2_000, `settled to ${OPENAI_USAGE}, counted ${counted('settle').tokens}`);
    assert.equal(counted('settle').requests, 1);
  });

  test('a stream is settled with its real usage too, even when the client did not ask for usage', async () => {
    const chunks = await collect(await client('stream').chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, max_tokens: 1000 }));
    assert.ok(chunks.every((chunk) => chunk.usage === undefined || chunk.usage === null));
    await eventually(() => (counted('stream').tokens === OPENAI_USAGE ? true : undefined), 2_000, `settled to ${OPENAI_USAGE}, counted ${counted('stream').tokens}`);
  });

  test('settling releases what a reservation did not use: more requests fit than the reservations alone allow', async () => {
    // Each reserves estimate + 40 (48) and uses 32: without settlement only 3 fit in 150, with it 4.
    const reserved = estimatePromptTokens({ messages }) + 40;
    assert.ok(3 * reserved <= 150 && 4 * reserved > 150);
    const outcomes: string[] = [];
    for (let index = 0; index < 6; index += 1) outcomes.push(await attempt(client('release'), { model: 'gpt-4o-mini', messages, max_tokens: 40 }));
    assert.deepEqual(outcomes, ['ok', 'ok', 'ok', 'ok', 'tokens', 'tokens']);
  });

  test('sequential requests that use more than they reserved overshoot by at most one overrun (the documented bound)', async () => {
    // Reserved 9 (estimate 8 + max_tokens 1), used 32: overrun 23. Limit 80: 0, 32, 64 fit; 96 does not.
    const reserved = estimatePromptTokens({ messages }) + 1;
    const overrun = OPENAI_USAGE - reserved;
    let admitted = 0;
    for (let index = 0; index < 10; index += 1) {
      if (await attempt(client('sequential'), { model: 'gpt-4o-mini', messages, max_tokens: 1 }) === 'ok') admitted += 1;
      await eventually(() => (counted('sequential').tokens === admitted * OPENAI_USAGE ? true : undefined), 2_000, 'settled');
    }
    const total = counted('sequential').tokens;
    assert.equal(total, admitted * OPENAI_USAGE);
    assert.ok(total > 80, `the traffic really overshoots (${total})`);
    assert.ok(total <= 80 + overrun, `overshoot ${total - 80} within one overrun (${overrun})`);
  });

  test('concurrent requests overshoot by at most the overruns of the requests in flight at the last admission', async () => {
    const reserved = estimatePromptTokens({ messages }) + 1;
    const overrun = OPENAI_USAGE - reserved;
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(client('concurrent'), { model: 'gpt-4o-mini', messages, max_tokens: 1 })));
    const admitted = outcomes.filter((outcome) => outcome === 'ok').length;
    await eventually(() => (counted('concurrent').tokens === admitted * OPENAI_USAGE ? true : undefined), 2_000, 'settled');
    const total = counted('concurrent').tokens;
    // At most floor(100 / 9) = 11 can be admitted before any settles; each in flight can overrun once.
    assert.ok(admitted <= Math.floor(100 / reserved), `admitted ${admitted}`);
    assert.ok(total <= 100 + admitted * overrun, `total ${total} within 100 + ${admitted} × ${overrun}`);
    assert.equal(counted('concurrent').requests, admitted);
  });
});

describe('quota store errors (AIGW_QUOTA_ON_STORE_ERROR)', () => {
  const deadRedis = 'redis://127.0.0.1:1';
  const body = { model: 'gpt-4o-mini', messages };
  const quotaManifest = (mock: RunningMock): string => `
${mockProviders(mock.url, { openai: 'openai' })}
credentials:
  - { id: app, key_sha256: "${sha256('sk-app')}", quota: { requests_per_minute: 5 } }
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
`;

  test('allow (the default): a Redis that is down admits the request, counts a metric and logs once — no hang', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, quotaManifest(mock), { apiKey: 'sk-app', settings: { redisUrl: deadRedis } });
    for (let index = 0; index < 8; index += 1) {
      const answer = await handle.client.chat.completions.create(body);
      assert.equal(answer.object, 'chat.completion');
    }
    const metrics = await handle.metricsText();
    assert.ok(metricValue(metrics, 'aigw_quota_store_errors_total', { operation: 'admit', policy: 'allow' }) >= 8);
    const warnings = handle.logLines().filter((line) => String(line['msg']).startsWith('quota store (Redis) failed'));
    assert.equal(warnings.length, 1, 'logged once per interval, not per request');
  });

  test('deny: a Redis that is down refuses with 429 and a short Retry-After — no hang', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, quotaManifest(mock), { apiKey: 'sk-app', settings: { redisUrl: deadRedis, quotaOnStoreError: 'deny' } });
    const error = await handle.client.chat.completions.create(body).catch((caught: unknown) => caught);
    assert.ok(error instanceof APIError && error.status === 429, String(error));
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.headers?.get('retry-after'), '1');
    assert.equal(mock.log().length, 0);
  });
});
