import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { QuotaLimiter } from '../../../runtime/quota/limiter.js';
import { testApp } from './app-harness.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

test('a quota store that does not answer, with the deny policy, is a 429 that says so: not a limit, not counted as the credential\'s rejection', async (t) => {
  const unanswering: QuotaLimiter = {
    admit: async () => ({ allowed: false, exceeded: 'store', retryAfterMs: 1_000 }),
    settle: async () => undefined,
    close: async () => undefined,
  };
  const { app, metrics } = testApp({
    quota: unanswering,
    manifest: `
credentials:
  - { id: tokens-only, key_sha256: "${sha256('sk-tokens')}", quota: { tokens_per_minute: 1000 } }
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
`,
  });
  t.after(() => app.close());
  const response = await app.inject({
    method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-tokens' },
    payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10 },
  });
  assert.equal(response.statusCode, 429, JSON.stringify(response.headers) + response.body);
  assert.equal(response.headers['retry-after'], '1', JSON.stringify(response.headers));
  const { error } = response.json<{ error: { message: string; code: string } }>();
  assert.equal(error.code, 'rate_limit_exceeded');
  assert.match(error.message, /quota store is not answering/);
  assert.doesNotMatch(error.message, /undefined|per min/);
  const rejections = await metrics.registry.getSingleMetric('aigw_quota_rejections_total')?.get();
  assert.deepEqual(rejections?.values ?? [], []);
});
