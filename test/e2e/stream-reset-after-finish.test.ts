/**
 * A connection that breaks after the provider sent its finish reason but before its closing event
 * (Anthropic's message_stop, Bedrock's metadata frame; Gemini has none) ends an answer that is
 * whole: it is finalised with its finish and usage, never continued on another target (the client
 * would get the answer twice, and both calls are billed) nor ended as stream_interrupted. One chunk
 * earlier the answer is unfinished, and the break is the broken stream it looks like.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { collect, gatewaySuite, mockProviders, type GatewayHandle } from './helpers/gateway-harness.js';

const messages = [{ role: 'user' as const, content: 'Say hello in one short sentence.' }];

/**
 * Per provider: the chunk after which its finish reason has arrived and its closing event has not,
 * and whether its usage came before the break (Bedrock reports it in the metadata frame, after).
 */
const CASES = [
  { provider: 'anthropic', afterFinish: 8, usageBeforeBreak: true },
  { provider: 'gemini', afterFinish: 2, usageBeforeBreak: true },
  { provider: 'bedrock', afterFinish: 5, usageBeforeBreak: false },
] as const;

function manifest(mock: RunningMock): string {
  const routes = CASES.map(({ provider }) => `
  - name: ${provider}-solo
    match: { model: "${provider}-solo" }
    targets: [ { provider: ${provider}, model: ${provider}-reset-solo } ]
  - name: ${provider}-continue
    match: { model: "${provider}-continue" }
    targets:
      - { provider: ${provider}, model: ${provider}-reset-continue, weight: 1 }
      - { provider: anthropic, model: claude-continues-${provider}, weight: 0 }`).join('');
  return `
${mockProviders(mock.url, { anthropic: 'anthropic', gemini: 'gemini', bedrock: 'bedrock' }, { bedrock: 'region: us-east-1' })}
ai_routes:${routes}
`;
}

const textOf = (chunks: readonly ChatCompletionChunk[]): string => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
const finishes = (chunks: readonly ChatCompletionChunk[]): unknown[] => chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason !== null && reason !== undefined);

describe('a connection that breaks after the finish reason', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => manifest(mock));

  for (const { provider, afterFinish, usageBeforeBreak } of CASES) {
    test(`${provider}: the answer is finalised once, with its finish${usageBeforeBreak ? ' and usage' : ' (its usage never came: none, not 0)'}; no continuation call, no stream_interrupted`, async () => {
      // The unbroken answer, for comparison.
      const whole = await collect(await handle.client.chat.completions.create({ model: `${provider}-solo`, messages, stream: true, stream_options: { include_usage: true } }));
      mock.setFaults([`model=${provider}-reset-*,reset_after=${afterFinish}`]);
      for (const route of ['solo', 'continue']) {
        const before = mock.log().length;
        const chunks = await collect(await handle.client.chat.completions.create({ model: `${provider}-${route}`, messages, stream: true, stream_options: { include_usage: true } }));
        assert.equal(textOf(chunks), textOf(whole), `${provider}-${route}: the text once`);
        assert.deepEqual(finishes(chunks), ['stop'], `${provider}-${route}`);
        if (usageBeforeBreak) assert.deepEqual(chunks.at(-1)?.usage, whole.at(-1)?.usage, `${provider}-${route}: the usage the provider reported`);
        else assert.ok(chunks.every((chunk) => chunk.usage === undefined || chunk.usage === null), `${provider}-${route}: no usage chunk`);
        assert.equal(mock.log().length - before, 1, `${provider}-${route}: one upstream call`);
      }
      const records = await handle.auditRecords();
      const last = records.at(-1);
      assert.equal(last?.aigw.failover, false);
      assert.deepEqual(last?.aigw.attempts.map((attempt) => attempt.outcome), ['success']);
    });

    test(`${provider}: broken one chunk before the finish reason, the answer is unfinished: stream_interrupted without a continuing target`, async () => {
      mock.setFaults([`model=${provider}-reset-solo,reset_after=${afterFinish - 1}`]);
      const stream = await handle.client.chat.completions.create({ model: `${provider}-solo`, messages, stream: true });
      await assert.rejects(collect(stream), (error: unknown) => error instanceof APIError && /stream_interrupted/.test(String(error.message) + JSON.stringify(error.error ?? {})));
    });
  }
});
