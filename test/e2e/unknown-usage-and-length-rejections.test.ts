/**
 * Two accounting and routing rules over real sockets with the official `openai` SDK (review
 * "routing and streaming semantics", findings 1 and 2):
 * - design §3.8 and §5: an answer whose provider reported no usage (a Bedrock stream cut after
 *   messageStop, before its `metadata` event; an OpenAI body without `usage`) keeps its usage unknown —
 *   no usage chunk of zeros for the client, no usage in the audit record, and the credential's quota
 *   keeps the reservation instead of being settled at 0;
 * - design §3.5: a context-length rejection that no other candidate takes reaches the app as the
 *   provider's 400 `context_length_exceeded`, as it does when `context_length` is not in `failover_on`;
 *   with a provider fault among the candidates it stays a 502.
 *
 * The mock serves the bundled fixtures, except that OpenAI's non-stream answer has no `usage` and a
 * 400 from OpenAI or Bedrock is their recorded context-length rejection.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { BadRequestError, InternalServerError } from 'openai';
import type { ProviderType } from '../../runtime/adapters/contract.js';
import { realClock, type Clock } from '../../runtime/clock.js';
import { loadFixtureIndex, type Fixture, type FixtureIndex } from '../../runtime/mock/fixture-index.js';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { estimatePromptTokens } from '../../runtime/quota/estimate-tokens.js';
import { createMemoryLimiter, type MemoryLimiter } from '../../runtime/quota/memory-limiter.js';
import { collect, mockProviders, startTestGateway, startTestMock, suiteScope, type GatewayHandle } from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Hi' }];
const KEY = 'sk-unknown-usage';
const MAX_TOKENS = 50;
/** The limiter runs on a frozen wall clock so that no test straddles a minute boundary. */
const frozen: Clock = { ...realClock, now: () => 1_767_225_630_000 };

/** The bundled fixtures with OpenAI's non-stream usage removed and 400s answered with the recorded context-length rejection. */
function alteredFixtures(): FixtureIndex {
  const bundled = loadFixtureIndex();
  const lengthRejection = (provider: ProviderType): Fixture | undefined => bundled.get(provider, 'error-400-context-length');
  return {
    ...bundled,
    pick(provider, shape) {
      const fixture = bundled.pick(provider, shape);
      if (provider !== 'openai' || shape.stream || fixture === undefined) return fixture;
      const { usage: _usage, ...body } = fixture.response.body as Record<string, unknown>;
      return { ...fixture, response: { ...fixture.response, body } };
    },
    error: (provider, status) => (status === 400 ? lengthRejection(provider) : undefined) ?? bundled.error(provider, status),
  };
}

function manifest(mock: RunningMock): string {
  const route = (name: string, targets: string, extra = ''): string => `
  - name: ${name}
    match: { model: "${name}" }
    targets: ${targets}${extra}`;
  return `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic', bedrock: 'bedrock' }, { bedrock: 'region: us-east-1' })}
credentials:
  - { id: metered, key_sha256: "${createHash('sha256').update(KEY).digest('hex')}", quota: { tokens_per_minute: 100000 } }
ai_routes:
${route('br', '[ { provider: bedrock, model: br-no-metadata } ]')}
${route('gpt', '[ { provider: openai, model: gpt-no-usage } ]')}
${route('ctx-only', '[ { provider: openai, model: gpt-ctx-only } ]')}
${route('ctx-nofo', '[ { provider: openai, model: gpt-ctx-nofo } ]', '\n    failover_on: [5xx, 429, latency, connect_error, stream_error]')}
${route('ctx-everywhere', '[ { provider: openai, model: gpt-ctx-first } ]', '\n    fallback: bedrock/br-ctx-too')}
${route('ctx-and-outage', '[ { provider: anthropic, model: claude-down, weight: 1 }, { provider: openai, model: gpt-ctx-second, weight: 0 } ]', '\n    retry: { attempts: 0 }')}
`;
}

describe('unknown usage and context-length rejections', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  let limiter!: MemoryLimiter;
  const scope = suiteScope(after);
  const reserved = estimatePromptTokens({ messages }) + MAX_TOKENS;
  const counted = (): number => limiter.peek('credential:metered')?.tokens.current ?? 0;
  before(async () => {
    mock = await startTestMock(scope, { fixtures: alteredFixtures() });
    limiter = createMemoryLimiter(frozen);
    handle = await startTestGateway(scope, manifest(mock), { overrides: { quota: limiter }, apiKey: KEY });
  });
  afterEach(() => mock.setFaults([]));

  test('a Bedrock stream that ends after messageStop without its metadata: no usage chunk, no audit usage, the reservation kept', async () => {
    mock.setFaults(['model=br-no-metadata,no_terminator']);
    const countedBefore = counted();
    const chunks = await collect(await handle.client.chat.completions.create({
      model: 'br', messages, max_tokens: MAX_TOKENS, stream: true, stream_options: { include_usage: true },
    }));
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'Hello there, nice to meet you!');
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop', 'the answer is complete');
    assert.deepEqual(chunks.filter((chunk) => chunk.usage !== undefined && chunk.usage !== null).map((chunk) => chunk.usage), [], 'no made-up usage chunk');
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'br');
    assert.equal(record?.http.response.status_code, 200);
    assert.equal(record?.gen_ai.usage, undefined);
    assert.equal(record?.aigw.usage, undefined);
    assert.equal(counted() - countedBefore, reserved, 'settled with nothing: the reservation stays counted');
  });

  test('an OpenAI answer without usage: the client gets no usage object, the audit none, and the reservation is kept', async () => {
    const countedBefore = counted();
    const answer = await handle.client.chat.completions.create({ model: 'gpt', messages, max_tokens: MAX_TOKENS });
    assert.equal(answer.choices[0]?.message.content, 'Hello there, nice to meet you!');
    assert.equal(answer.usage, undefined);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'gpt');
    assert.equal(record?.gen_ai.usage, undefined);
    assert.equal(record?.aigw.usage, undefined);
    assert.equal(counted() - countedBefore, reserved);
  });

  test("a context-length rejection no other candidate takes is the provider's 400, exactly as without failover", async () => {
    mock.setFaults(['model=gpt-ctx-*,status=400']);
    const seen: { status: number; code: unknown; message: string; retry: string | null; provider: string | null }[] = [];
    for (const model of ['ctx-only', 'ctx-nofo']) {
      const error = await handle.client.chat.completions.create({ model, messages }).catch((caught: unknown) => caught);
      assert.ok(error instanceof BadRequestError, `${model}: ${String(error)}`);
      seen.push({ status: error.status, code: error.code, message: error.message, retry: error.headers?.get('x-should-retry') ?? null, provider: error.headers?.get('x-aigw-provider') ?? null });
    }
    assert.equal(seen[0]?.code, 'context_length_exceeded');
    assert.match(seen[0]?.message ?? '', /maximum context length is 128000 tokens/);
    assert.equal(seen[0]?.retry, null, 'no x-should-retry: false, which is for 502 and 504');
    assert.equal(seen[0]?.provider, 'openai', 'the provider whose rejection it is');
    assert.deepEqual(seen[0], seen[1], 'failover_on with or without context_length: the same answer');
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'ctx-only');
    assert.equal(record?.http.response.status_code, 400);
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.model, attempt.status, attempt.reason]), [['gpt-ctx-only', 400, 'context_length']]);
  });

  test('every candidate rejecting the prompt for its length: the 400 of the last one (the fallback)', async () => {
    mock.setFaults(['model=gpt-ctx-first,status=400', 'model=br-ctx-too,status=400']);
    const error = await handle.client.chat.completions.create({ model: 'ctx-everywhere', messages }).catch((caught: unknown) => caught);
    assert.ok(error instanceof BadRequestError, String(error));
    assert.equal(error.code, 'context_length_exceeded');
    assert.match(error.message, /Input is too long for requested model/, "Bedrock's message: the last rejection");
    assert.equal(mock.log().filter((entry) => entry.model === 'br-ctx-too').length, 1, 'the fallback was tried');
  });

  test('a context-length rejection alongside a provider outage stays a 502 listing both', async () => {
    mock.setFaults(['model=claude-down,status=503', 'model=gpt-ctx-second,status=400']);
    const error = await handle.client.chat.completions.create({ model: 'ctx-and-outage', messages }).catch((caught: unknown) => caught);
    assert.ok(error instanceof InternalServerError && error.status === 502, String(error));
    assert.equal(error.code, 'upstream_failed');
    assert.equal(error.headers?.get('x-should-retry'), 'false');
    assert.match(error.message, /anthropic\/claude-down: 503 retryable_5xx; openai\/gpt-ctx-second: 400 context_length/);
  });
});
