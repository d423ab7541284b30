/**
 * Token counts a provider should never send (negative, 1e308, fractional, NaN-like) are no counts:
 * they reached the client's answer, the audit record and the quota settlement, and one negative count
 * made aigw_tokens_total throw (a counter cannot decrease) while two of 1e308 summed to Infinity and
 * failed every later /metrics scrape.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { makeUsage, MAX_TOKEN_COUNT, tokenCount } from '../../../runtime/adapters/usage.js';
import { createGatewayMetrics } from '../../../runtime/metrics.js';
import { CONTEXT } from './native-adapter-harness.js';

test('a token count is a whole number from 0 to a billion; makeUsage takes anything else as 0', () => {
  for (const bad of [-1, -1000, 1e308, Number.POSITIVE_INFINITY, Number.NaN, 1.5, '12', null, MAX_TOKEN_COUNT + 1]) assert.equal(tokenCount(bad), undefined, String(bad));
  for (const good of [0, 1, 4096, MAX_TOKEN_COUNT]) assert.equal(tokenCount(good), good);
  assert.deepEqual(makeUsage(-1000, 5), { prompt_tokens: 0, completion_tokens: 5, total_tokens: 5 });
  assert.deepEqual(makeUsage(1e308, 1e308, { cachedTokens: -3 }), { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
});

test('hostile usage in an answer never reaches the client as a negative, huge or null count', () => {
  const bodies: Record<string, unknown> = {
    openai: { id: 'c', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1e308, completion_tokens: -5, total_tokens: 1e308 } },
    anthropic: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', usage: { input_tokens: -1000, output_tokens: 1e308 } },
    gemini: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: -1000, candidatesTokenCount: 1e308, totalTokenCount: -5 } },
    cohere: { id: 'x', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] }, usage: { tokens: { input_tokens: -1000, output_tokens: 1e308 } } },
    ollama: { model: 'm', message: { role: 'assistant', content: 'Hi' }, done: true, done_reason: 'stop', prompt_eval_count: -1000, eval_count: 1e308 },
  };
  for (const [provider, body] of Object.entries(bodies)) {
    const parsed = getAdapter(provider as 'openai').parseResponse(200, {}, JSON.stringify(body), CONTEXT);
    assert.ok(parsed.ok, provider);
    const usage = parsed.ok ? parsed.completion.usage : undefined;
    for (const value of [usage?.prompt_tokens, usage?.completion_tokens, usage?.total_tokens]) {
      if (value === undefined) continue;
      assert.ok(Number.isInteger(value) && value >= 0 && value <= 2 * MAX_TOKEN_COUNT, `${provider}: ${JSON.stringify(usage)}`);
    }
  }
});

test('a counter sum that left the finite numbers is dropped at the scrape, not kept failing it', async () => {
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  metrics.counts.tokens.inc(['p', 'm', 'prompt'], Number.MAX_VALUE);
  metrics.counts.tokens.inc(['p', 'm', 'prompt'], Number.MAX_VALUE);
  await assert.doesNotReject(metrics.registry.metrics());
  metrics.counts.tokens.inc(['p', 'm', 'prompt'], 3);
  assert.match(await metrics.registry.metrics(), /aigw_tokens_total\{provider="p",model="m",kind="prompt"\} 3/);
});
