/**
 * A conversation of system messages alone (valid for OpenAI) on a route whose first target cannot
 * take one (Anthropic): that target is skipped without a call and the next one answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mockProviders, startTestGateway, startTestMock } from './helpers/gateway-harness.js';

test('system messages alone: the Anthropic target is skipped unsent, the OpenAI one answers', async (t) => {
  const mock = await startTestMock(t);
  const handle = await startTestGateway(t, `
${mockProviders(mock.url, { anthropic: 'anthropic', openai: 'openai' })}
ai_routes:
  - name: chat
    match: { model: "chat" }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 100 }
      - { provider: openai, model: gpt-4o-mini, weight: 0 }
`);
  const answer = await handle.client.chat.completions.create({ model: 'chat', messages: [{ role: 'system', content: 'Say hello.' }] });
  assert.equal(answer.choices[0]?.message.role, 'assistant');
  const record = (await handle.auditRecords()).at(-1);
  assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.outcome, attempt.reason ?? null]), [
    ['anthropic', 'skipped', 'client_error'],
    ['openai', 'success', null],
  ]);
  assert.equal(mock.log().filter((entry) => entry.model === 'claude-haiku-4-5').length, 0, 'nothing sent to Anthropic');
});
