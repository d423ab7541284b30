/**
 * Engine rules of design §3 for non-stream requests, each on the manual clock through the real engine
 * (fake adapters, scripted transport).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../runtime/clock.js';
import type { QuotaLimiter } from '../../../runtime/quota/limiter.js';
import type { ProviderAdapter } from '../../../runtime/adapters/contract.js';
import { CHAT, createFakeAdapter, entry, envSecret, manifest, route, target } from './fakes.js';
import { draws, harness } from './harness.js';

const providers = [entry('anthropic', 'anthropic'), entry('openai', 'openai'), entry('ollama', 'ollama')];
const seedRoute = (extra: Parameters<typeof route>[1] = {}) => route([
  target('anthropic', 'claude-haiku-4-5', 60, { maxLatencyMs: 800 }),
  target('openai', 'gpt-4o-mini', 40, { maxLatencyMs: 800 }),
], { fallback: target('ollama', 'llama-3.1', 0), ...extra });
const ok = { kind: 'json' } as const;

test('a non-stream request is answered by the picked target; the result names provider, model, usage and time to first byte', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', delayMs: 120, body: JSON.stringify({ text: 'hi', usage: [10, 2], model: 'claude-haiku-4-5-20251001' }) } } });
  const result = await h.run(CHAT);
  assert.equal(result.outcome, 'success');
  assert.equal(result.status, 200);
  assert.equal(result.provider, 'anthropic');
  assert.equal(result.providerType, 'anthropic');
  assert.equal(result.model, 'claude-haiku-4-5-20251001', 'the response model names the model that answered');
  assert.equal(result.completion?.model, 'claude-haiku-4-5-20251001');
  assert.deepEqual(result.usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
  assert.equal(result.timeToFirstByteMs, 120);
  assert.equal(result.attempts.length, 1);
  assert.deepEqual({ ...result.attempts[0], usage: undefined }, {
    provider: 'anthropic', providerType: 'anthropic', model: 'claude-haiku-4-5', status: 200, reason: null, outcome: 'success',
    startMs: 0, durationMs: 120, firstContentMs: 120, dropped: [], usage: undefined,
  });
  assert.deepEqual(h.events.map((event) => event.type), ['request-start', 'attempt-start', 'attempt-end', 'request-end']);
});

test('the fallback completion id is made only when an adapter reads it (most upstreams send their own)', async () => {
  let made = 0;
  const newCompletionId = (): string => `chatcmpl-made-${++made}`;
  const fake = createFakeAdapter('openai');
  // An adapter that keeps the upstream's own id never reads the context's.
  const ownId: ProviderAdapter = {
    ...fake,
    parseResponse: (status, headers, body, context) =>
      fake.parseResponse(status, headers, body, { created: context.created, model: context.model, includeUsage: context.includeUsage, completionId: 'chatcmpl-upstream' }),
  };
  const single = manifest([route([target('openai', 'gpt-4o-mini', 100)])], providers);
  const quiet = harness({ manifest: single, adapters: { openai: ownId }, newCompletionId, script: { openai: ok } });
  assert.equal((await quiet.run(CHAT)).completion?.id, 'chatcmpl-upstream');
  assert.equal(made, 0, 'no id made when nobody reads it');
  const reading = harness({ manifest: single, newCompletionId, script: { openai: ok } });
  assert.equal((await reading.run(CHAT)).completion?.id, 'chatcmpl-made-1');
  assert.equal(made, 1);
});

test('the weighted pick uses the injected random: a draw past the first weight picks the second target', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), random: draws(0.6), script: { openai: ok } });
  const result = await h.run(CHAT);
  assert.equal(result.provider, 'openai');
});

test('a weight-0 target is never first but is used in failover', async () => {
  const zero = route([target('anthropic', 'claude-haiku-4-5', 0), target('openai', 'gpt-4o-mini', 1)]);
  const random = seededRandom(3);
  const h = harness({ manifest: manifest([zero], providers), random, script: { openai: { kind: 'json', status: 503 }, anthropic: ok } });
  for (let index = 0; index < 50; index += 1) {
    const result = await h.run(CHAT);
    assert.equal(result.attempts[0]?.provider, 'openai', 'weight 0 is never first');
    if (index === 0) assert.equal(result.provider, 'anthropic', 'but it answers when the other fails');
  }
});

test('a 5xx is retried once on the same target after a jittered backoff, then fails over', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), random: draws(0, 0.99), script: { anthropic: { kind: 'json', status: 503 }, openai: ok } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.status, record.reason, record.outcome]), [
    ['anthropic', 503, 'retryable_5xx', 'retry'],
    ['anthropic', 503, 'retryable_5xx', 'failover'],
    ['openai', 200, null, 'success'],
  ]);
  // backoff 250 ms × jitter factor (0.5 + 0.99) → 372.5, rounded to 373 ms.
  assert.equal(h.transport.calls[1]?.at, 373);
  assert.equal(h.transport.calls[2]?.at, 373);
});

test('an error body is read up to 1 MiB (past it the status alone classifies it); an answer up to 16 MiB', async () => {
  const huge = JSON.stringify({ error: 'x'.repeat(2 * 1024 * 1024) });
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: { kind: 'json', status: 503, body: huge, viaText: true },
    openai: { kind: 'json', body: JSON.stringify({ text: 'hi' }), viaText: true },
  } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.status, record.reason, record.outcome]), [
    ['anthropic', 503, 'retryable_5xx', 'retry'],
    ['anthropic', 503, 'retryable_5xx', 'failover'],
    ['openai', 200, null, 'success'],
  ]);
  assert.deepEqual(h.transport.calls.map((call) => call.textLimit), [1024 * 1024, 1024 * 1024, 16 * 1024 * 1024]);
});

test('an answer over 16 MiB fails over at once: the same target is not asked (and billed) again', async () => {
  const oversize = JSON.stringify({ text: 'x'.repeat(16 * 1024 * 1024) });
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: { kind: 'json', body: oversize, viaText: true },
    openai: { kind: 'json', body: JSON.stringify({ text: 'hi' }), viaText: true },
  } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.status, record.reason, record.outcome]), [
    ['anthropic', 200, 'retryable_5xx', 'failover'],
    ['openai', 200, null, 'success'],
  ]);
  assert.equal(h.transport.calls.filter((call) => call.provider === 'anthropic').length, 1);
});

test('a 429 with Retry-After within max_retry_after_ms is retried after exactly that long', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: [{ kind: 'json', status: 429, headers: { 'retry-after': '2' } }, ok],
  } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'rate_limited', 'retry'],
    ['anthropic', null, 'success'],
  ]);
  assert.equal(result.attempts[0]?.retryAfterMs, 2000);
  assert.deepEqual(h.transport.calls.map((call) => call.at), [0, 2000]);
});

test('a Retry-After longer than max_retry_after_ms fails over at once', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: { kind: 'json', status: 429, headers: { 'retry-after': '7' } }, openai: ok,
  } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'rate_limited', 'failover'],
    ['openai', null, 'success'],
  ]);
  assert.match(result.attempts[0]?.detail ?? '', /Retry-After 7000 ms exceeds max_retry_after_ms 5000/);
  assert.deepEqual(h.transport.calls.map((call) => call.at), [0, 0]);
});

test('past max_latency_ms the attempt is aborted and the next target tried; a latency timeout is never retried', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'hang' }, openai: { kind: 'json', delayMs: 300 } } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome, record.durationMs]), [
    ['anthropic', 'latency', 'failover', 800],
    ['openai', null, 'success', 300],
  ]);
  assert.equal(h.transport.calls[0]?.aborted, true, 'the upstream call is aborted (socket released)');
  assert.equal(h.transport.calls.filter((call) => call.provider === 'anthropic').length, 1);
  assert.equal(result.durationMs, 1100, 'app latency = max_latency_ms + the other target');
});

test('a slow non-stream body counts against max_latency_ms too', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', delayMs: 900 }, openai: ok } });
  const result = await h.run(CHAT);
  assert.equal(result.attempts[0]?.reason, 'latency');
  assert.equal(result.provider, 'openai');
});

test('timeout_ms elapsing is a 504 AIGW_E_TIMEOUT listing the attempts', async () => {
  const slow = route([target('anthropic', 'claude-haiku-4-5', 1), target('openai', 'gpt-4o-mini', 1)], { timeoutMs: 3000 });
  const h = harness({ manifest: manifest([slow], providers), script: { anthropic: { kind: 'hang' }, openai: { kind: 'hang' } } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 504);
  assert.equal(result.error?.code, 'AIGW_E_TIMEOUT');
  assert.equal(result.error?.envelope.error.code, 'gateway_timeout');
  assert.equal(result.durationMs, 3000);
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['timeout', 'aborted']]);
  assert.match(result.error?.envelope.error.message ?? '', /anthropic\/claude-haiku-4-5: timeout/);
});

test('retries and their waits fit inside timeout_ms: a backoff that does not fit fails over instead', async () => {
  const tight = seedRoute({ timeoutMs: 1000, retry: { attempts: 1, backoffMs: 250, maxRetryAfterMs: 5000 } });
  const h = harness({ manifest: manifest([tight], providers), script: { anthropic: { kind: 'json', status: 429, headers: { 'retry-after': '2' } }, openai: ok } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.outcome]), [['anthropic', 'failover'], ['openai', 'success']]);
  assert.match(result.attempts[0]?.detail ?? '', /does not fit in timeout_ms/);
});

test('a context-length 400 fails over to the next target', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: { kind: 'json', status: 400, body: JSON.stringify({ code: 'context_length_exceeded' }) }, openai: ok,
  } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'context_length', 'failover'],
    ['openai', null, 'success'],
  ]);
});

test('a content-filter 400 goes to the client as is, after one attempt', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    anthropic: { kind: 'json', status: 400, body: JSON.stringify({ code: 'content_filter' }) }, openai: ok,
  } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 400);
  assert.equal(result.outcome, 'error');
  assert.equal(result.error?.code, 'AIGW_E_UPSTREAM_REJECTED');
  assert.deepEqual(result.error?.envelope, { error: { message: 'fake provider said 400', type: 'invalid_request_error', param: null, code: 'content_filter' } });
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['content_filter', 'returned']]);
  assert.equal(h.transport.calls.length, 1);
});

test('any other client 4xx is returned with the provider reason, never retried', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', status: 422, body: JSON.stringify({ code: 'bad_tool_schema' }) }, openai: ok } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 422);
  assert.equal(result.error?.envelope.error.code, 'bad_tool_schema');
  assert.equal(h.transport.calls.length, 1);
});

const contextLength = { kind: 'json', status: 400, body: JSON.stringify({ code: 'context_length_exceeded' }) } as const;
const lengthRejection = { error: { message: 'fake provider said 400', type: 'invalid_request_error', param: null, code: 'context_length_exceeded' } };

test('a context-length rejection that no other candidate takes is the provider\'s 400, as without failover, never a 502', async () => {
  for (const [name, script] of [
    ['the only target', { anthropic: contextLength }],
    ['every candidate', { anthropic: contextLength, openai: contextLength, ollama: contextLength }],
  ] as const) {
    const single = name === 'the only target' ? route([target('anthropic', 'claude-haiku-4-5', 1)]) : seedRoute();
    const h = harness({ manifest: manifest([single], providers), script });
    const result = await h.run(CHAT);
    assert.equal(result.outcome, 'error', name);
    assert.equal(result.status, 400, name);
    assert.equal(result.error?.code, 'AIGW_E_UPSTREAM_REJECTED', name);
    assert.deepEqual(result.error?.envelope, lengthRejection, name);
    assert.deepEqual(result.error?.headers, {}, name);
    assert.ok(result.attempts.every((record) => record.reason === 'context_length' && record.outcome === 'failover'), name);
    assert.equal(h.transport.calls.length, result.attempts.length, `${name}: never retried on the same target`);
  }
  // The same rejection where context_length is not a failover trigger: the same answer.
  const strict = harness({ manifest: manifest([route([target('anthropic', 'claude-haiku-4-5', 1)], { failoverOn: ['5xx'] })], providers), script: { anthropic: contextLength } });
  const returned = await strict.run(CHAT);
  assert.equal(returned.status, 400);
  assert.deepEqual(returned.error?.envelope, lengthRejection);
});

test('context length plus a provider fault among the candidates stays a 502 whatever the attempt order, listing both', async () => {
  const noRetry = { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 };
  const cases = [
    ['503 then context length', { anthropic: { kind: 'json', status: 503 }, openai: contextLength }],
    ['context length then 503', { anthropic: contextLength, openai: { kind: 'json', status: 503 } }],
    ['context length then latency', { anthropic: contextLength, openai: { kind: 'hang' } }],
    ['context length then the provider key', { anthropic: contextLength, openai: { kind: 'json', status: 401 } }],
  ] as const;
  for (const [name, script] of cases) {
    const h = harness({ manifest: manifest([seedRoute({ fallback: undefined, retry: noRetry })], providers), script });
    const result = await h.run(CHAT);
    assert.equal(result.status, 502, name);
    assert.equal(result.error?.code, 'AIGW_E_ALL_ATTEMPTS_FAILED', name);
    assert.match(result.error?.envelope.error.message ?? '', /400 context_length/, name);
  }
});

test('context length plus an open circuit (a candidate that might have taken the prompt) stays a 502', async () => {
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined, retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } })], providers),
    script: { anthropic: (call: number) => (call < 3 ? { kind: 'json', status: 503 } : contextLength), openai: (call: number) => (call < 3 ? ok : contextLength) } });
  for (let index = 0; index < 3; index += 1) assert.equal((await h.run(CHAT)).provider, 'openai');
  assert.equal(h.health.state('anthropic', 'claude-haiku-4-5'), 'open');
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'circuit_open', 'skipped'], ['openai', 'context_length', 'failover'],
  ]);
  assert.equal(result.status, 502);
});

test('a candidate is judged by how it ended: a 503 retried into a context-length rejection counts as context length', async () => {
  const h = harness({ manifest: manifest([route([target('anthropic', 'claude-haiku-4-5', 1)])], providers), script: { anthropic: [{ kind: 'json', status: 503 }, contextLength] } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['retryable_5xx', 'retry'], ['context_length', 'failover']]);
  assert.equal(result.status, 400);
  assert.deepEqual(result.error?.envelope, lengthRejection);
});

test("a provider 401 is the operator's key: it fails over, and when nothing answers the app gets a 502, never a 401", async () => {
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], providers), script: {
    anthropic: { kind: 'json', status: 401 }, openai: { kind: 'json', status: 403 },
  } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 502);
  assert.equal(result.error?.code, 'AIGW_E_ALL_ATTEMPTS_FAILED');
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['auth_error', 'failover'], ['auth_error', 'failover']]);
});

test('a target the provider does not serve (404) fails over at once, never retried, and counts against its circuit', async () => {
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], providers), script: { anthropic: { kind: 'json', status: 404 }, openai: ok } });
  const first = await h.run(CHAT);
  assert.equal(first.status, 200);
  assert.deepEqual(first.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'target_unavailable', 'failover'],
    ['openai', null, 'success'],
  ]);
  // Even with failover_on reduced to latency: the operator's fault is never the app's answer.
  const strict = harness({ manifest: manifest([seedRoute({ fallback: undefined, failoverOn: ['latency'] })], providers), script: { anthropic: { kind: 'json', status: 404 }, openai: ok } });
  assert.equal((await strict.run(CHAT)).status, 200);
  for (let index = 0; index < 2; index += 1) await h.run(CHAT);
  assert.equal(h.health.state('anthropic', 'claude-haiku-4-5'), 'open');
});

test('every attempt failing is a 502 whose message lists provider/model: status reason per attempt, with no secret', async () => {
  const secretProviders = [entry('anthropic', 'anthropic', { credentials: { api_key: envSecret('ANTHROPIC_API_KEY', 'sk-ant-SECRET') } }), entry('openai', 'openai'), entry('ollama', 'ollama')];
  const h = harness({ manifest: manifest([seedRoute()], secretProviders), script: {
    anthropic: { kind: 'json', status: 529 }, openai: { kind: 'hang' }, ollama: { kind: 'reset' },
  } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 502);
  assert.equal(result.error?.envelope.error.type, 'server_error');
  assert.equal(result.error?.envelope.error.code, 'upstream_failed');
  assert.equal(result.error?.envelope.error.message,
    'All attempts failed: anthropic/claude-haiku-4-5: 529 retryable_5xx; anthropic/claude-haiku-4-5: 529 retryable_5xx; '
    + 'openai/gpt-4o-mini: latency; ollama/llama-3.1: connect_error; ollama/llama-3.1: connect_error.');
  assert.doesNotMatch(JSON.stringify(result), /SECRET/);
});

test('a connection reset before any byte is retried once on the same target, then fails over', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'reset' }, openai: ok } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome, record.detail]), [
    ['anthropic', 'connect_error', 'retry', 'ECONNRESET; retrying in 125 ms'],
    ['anthropic', 'connect_error', 'failover', 'ECONNRESET'],
    ['openai', null, 'success', undefined],
  ]);
});

test('a trigger missing from failover_on ends the run instead of failing over', async () => {
  const strict = seedRoute({ failoverOn: ['latency'], retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } });
  const h = harness({ manifest: manifest([strict], providers), script: { anthropic: { kind: 'json', status: 500 }, openai: ok } });
  const result = await h.run(CHAT);
  assert.equal(result.status, 502);
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['retryable_5xx', 'returned']]);
});

test('both targets down: the fallback serves', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', status: 503 }, openai: { kind: 'json', status: 503 }, ollama: ok } });
  const result = await h.run(CHAT);
  assert.equal(result.provider, 'ollama');
  assert.equal(result.model, 'llama-3.1');
});

test('a provider whose limits are full is skipped without a call', async () => {
  const limited = [entry('anthropic', 'anthropic', { limits: { requestsPerMinute: 1 } }), entry('openai', 'openai'), entry('ollama', 'ollama')];
  const admitted: string[] = [];
  const limiter: QuotaLimiter = {
    async admit(key, limits, tokens) {
      admitted.push(`${key} rpm=${limits.requestsPerMinute} tokens=${tokens}`);
      return { allowed: false, exceeded: 'requests', retryAfterMs: 1000 };
    },
    async settle() { /* nothing reserved */ },
    async close() { /* nothing to close */ },
  };
  const h = harness({ manifest: manifest([seedRoute()], limited), limiter, script: { anthropic: ok, openai: ok } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome, record.status]), [
    ['anthropic', 'quota_full', 'skipped', 0],
    ['openai', null, 'success', 200],
  ]);
  assert.equal(h.transport.calls.filter((call) => call.provider === 'anthropic').length, 0);
  assert.deepEqual(admitted, ['provider:anthropic rpm=1 tokens=74']);
});

/** Anthropic with a token limit, and a limiter that grants every reservation and records what each settles with. */
function grantingLimiter(): { limited: ReturnType<typeof entry>[]; settled: number[]; limiter: QuotaLimiter } {
  const settled: number[] = [];
  const limiter: QuotaLimiter = {
    admit: async (key, _limits, tokens) => ({ allowed: true, reservation: { key, tokens, window: 0 } }),
    settle: async (_reservation, actual) => { settled.push(actual); },
    close: async () => undefined,
  };
  return { limited: [entry('anthropic', 'anthropic', { limits: { tokensPerMinute: 1000 } }), entry('openai', 'openai')], settled, limiter };
}

test('a granted provider reservation is settled with the real usage', async () => {
  const { limited, settled, limiter } = grantingLimiter();
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], limited), limiter, script: { anthropic: ok } });
  await h.run(CHAT);
  assert.deepEqual(settled, [15]);
});

test('an answer whose provider reported no usage has none in the result (never 0), and its provider reservation is kept', async () => {
  const { limited, settled, limiter } = grantingLimiter();
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], limited), limiter, script: {
    anthropic: { kind: 'json', body: JSON.stringify({ text: 'hi' }) },
  } });
  const result = await h.run(CHAT);
  assert.equal(result.outcome, 'success');
  assert.equal(result.usage, undefined, 'unknown, not zeros: nothing for the audit record, the token metrics or the quota to count');
  assert.equal(result.attempts[0]?.usage, undefined);
  assert.equal(result.completion !== undefined && 'usage' in result.completion, false);
  assert.equal(settled.length, 1);
  assert.ok(Number.isNaN(settled[0]), `settled with ${settled[0]}: NaN keeps the estimate, 0 would release tokens that were generated`);
});

test('a provider reservation of an attempt that failed before answering is given back', async () => {
  const { limited, settled, limiter } = grantingLimiter();
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined, retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } })], limited), limiter, script: {
    anthropic: { kind: 'json', status: 503 }, openai: ok,
  } });
  assert.equal((await h.run(CHAT)).provider, 'openai');
  assert.deepEqual(settled, [0]);
});

test('a parameter the picked target cannot honour: the next target that can serves it, whatever the dice said', async () => {
  const h = harness({
    manifest: manifest([seedRoute()], providers),
    adapters: { anthropic: (await import('./fakes.js')).createFakeAdapter('anthropic', { unsupported: ['logit_bias'] }) },
    script: { openai: ok },
  });
  const result = await h.run({ ...CHAT, logit_bias: { 42: 1 } });
  assert.equal(result.provider, 'openai');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome, record.status]), [
    ['anthropic', 'client_error', 'skipped', 400],
    ['openai', null, 'success', 200],
  ]);
});

test('a parameter no candidate can honour is the adapter 400 unsupported_parameter, with no call made', async () => {
  const { createFakeAdapter } = await import('./fakes.js');
  const strict = createFakeAdapter('openai', { unsupported: ['logit_bias'] });
  const h = harness({
    manifest: manifest([seedRoute()], providers),
    adapters: { anthropic: strict, openai: strict, ollama: strict },
    script: {},
  });
  const result = await h.run({ ...CHAT, logit_bias: { 42: 1 } });
  assert.equal(result.status, 400);
  assert.equal(result.error?.code, 'AIGW_E_UNSUPPORTED_PARAMETER');
  assert.equal(result.error?.envelope.error.param, 'logit_bias');
  // Every target refused it: the message lists them all, not only the first adapter's reason.
  assert.match(result.error?.envelope.error.message ?? '', /No target of this route can honour it: anthropic\/claude-haiku-4-5, openai\/gpt-4o-mini, ollama\/llama-3\.1\.$/);
  assert.equal(h.transport.calls.length, 0);
});

test('the 400 for a parameter nobody honours does not depend on the weighted first pick: the first target in file order speaks', async () => {
  const { createFakeAdapter } = await import('./fakes.js');
  const strict = createFakeAdapter('openai', { unsupported: ['logit_bias'] });
  const messages = new Set<string>();
  // 0.1 picks anthropic (weight 60) first, 0.9 picks openai (weight 40) first.
  for (const draw of [0.1, 0.9]) {
    const h = harness({ manifest: manifest([seedRoute()], providers), adapters: { anthropic: strict, openai: strict, ollama: strict }, script: {}, random: draws(draw) });
    const result = await h.run({ ...CHAT, logit_bias: { 42: 1 } });
    assert.equal(result.attempts[0]?.provider, draw < 0.6 ? 'anthropic' : 'openai', 'the dice did pick differently');
    messages.add(result.error?.envelope.error.message ?? '');
  }
  assert.equal(messages.size, 1, [...messages].join(' | '));
  assert.match([...messages][0] ?? '', /^'logit_bias' unsupported by anthropic No target of this route can honour it: anthropic\/claude-haiku-4-5, openai\/gpt-4o-mini, ollama\/llama-3\.1\.$/);
});

test('a target whose credential is not set is skipped (auth_error) without a call', async () => {
  const unset = [entry('anthropic', 'anthropic', { credentials: { api_key: envSecret('ANTHROPIC_API_KEY', undefined) } }), entry('openai', 'openai')];
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], unset), requireCredentials: true, script: { openai: ok } });
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome, record.detail]), [
    ['anthropic', 'auth_error', 'skipped', 'credential ${ANTHROPIC_API_KEY} is not set'],
    ['openai', null, 'success', undefined],
  ]);
});

test('an open-circuit target is skipped while others remain, and still tried when it is the last candidate', async () => {
  const two = route([target('anthropic', 'claude-haiku-4-5', 1), target('openai', 'gpt-4o-mini', 1)], { retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } });
  const h = harness({ manifest: manifest([two], providers), script: { anthropic: { kind: 'json', status: 503 }, openai: ok } });
  for (let index = 0; index < 3; index += 1) await h.run(CHAT);
  assert.equal(h.health.state('anthropic', 'claude-haiku-4-5'), 'open');
  const skipped = await h.run(CHAT);
  assert.deepEqual(skipped.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'circuit_open', 'skipped'],
    ['openai', null, 'success'],
  ]);
  // Both circuits open: the first is skipped, the last candidate is tried anyway.
  const last = harness({ manifest: manifest([route([target('openai', 'gpt-4o-mini', 1), target('anthropic', 'claude-haiku-4-5', 0)], { retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } })], providers),
    script: { anthropic: [{ kind: 'json', status: 503 }, { kind: 'json', status: 503 }, { kind: 'json', status: 503 }, ok], openai: { kind: 'json', status: 503 } } });
  for (let index = 0; index < 3; index += 1) await last.run(CHAT);
  assert.equal(last.health.state('anthropic', 'claude-haiku-4-5'), 'open');
  const lastResult = await last.run(CHAT);
  assert.deepEqual(lastResult.attempts.map((record) => [record.provider, record.reason, record.outcome, record.probe]), [
    ['openai', 'circuit_open', 'skipped', undefined],
    ['anthropic', null, 'success', true],
  ]);
  assert.equal(last.health.state('anthropic', 'claude-haiku-4-5'), 'closed', 'its success closes the circuit');
});

test('the client aborting ends the run at once and aborts the in-flight upstream call', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', delayMs: 500 } } });
  const controller = new AbortController();
  const pending = h.start(CHAT, { signal: controller.signal });
  await h.clock.advance(100);
  controller.abort();
  const result = await pending;
  assert.equal(result.outcome, 'aborted');
  assert.equal(result.status, 499);
  assert.equal(result.durationMs, 100);
  assert.equal(h.transport.calls[0]?.aborted, true);
  assert.equal(h.transport.calls.length, 1, 'no failover after an abort');
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['aborted', 'aborted']]);
});

test('the abort handed over by onAbortable ends the run as an aborted client signal does', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: { kind: 'json', delayMs: 500 } } });
  let abort: (() => void) | undefined;
  const pending = h.start(CHAT, { onAbortable: (handed) => { abort = handed; } });
  assert.ok(abort !== undefined, 'handed over as the run starts');
  await h.clock.advance(100);
  abort();
  const result = await pending;
  assert.equal(result.outcome, 'aborted');
  assert.equal(result.status, 499);
  assert.equal(result.durationMs, 100);
  assert.equal(h.transport.calls[0]?.aborted, true, 'the in-flight upstream call is aborted');
  assert.equal(h.transport.calls.length, 1, 'no failover after an abort');
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['aborted', 'aborted']]);
  abort();
  assert.equal(result.outcome, 'aborted', 'calling it after the run ended changes nothing');
});

test('an abort called as it is handed over (the client already left) ends the run before any call', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { anthropic: ok, openai: ok } });
  const result = await h.run(CHAT, { onAbortable: (abort) => abort() });
  assert.equal(result.outcome, 'aborted');
  assert.equal(h.transport.calls.length, 0);
});

test('a client that leaves while the provider quota is being checked ends the run before any call', async () => {
  const limited = [entry('anthropic', 'anthropic', { limits: { requestsPerMinute: 100 } }), entry('openai', 'openai')];
  const controller = new AbortController();
  const settled: number[] = [];
  const limiter: QuotaLimiter = {
    async admit(key, _limits, tokens) {
      controller.abort();
      return { allowed: true, reservation: { key, tokens, window: 0 } };
    },
    settle: async (_reservation, actual) => { settled.push(actual); },
    close: async () => undefined,
  };
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], limited), limiter, script: { anthropic: ok, openai: ok } });
  const result = await h.run(CHAT, { signal: controller.signal });
  assert.equal(result.outcome, 'aborted');
  assert.equal(h.transport.calls.length, 0);
  assert.deepEqual(settled, [0], 'the reservation is given back');
});

test('when every candidate is passed over and one only for its open circuit, that one is still called', async () => {
  const limitedOpenai = [entry('anthropic', 'anthropic'), entry('openai', 'openai', { limits: { requestsPerMinute: 1 } })];
  const full: QuotaLimiter = {
    admit: async () => ({ allowed: false, exceeded: 'requests', retryAfterMs: 1000 }),
    settle: async () => undefined,
    close: async () => undefined,
  };
  const noRetry = { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 };
  const h = harness({
    manifest: manifest([route([target('anthropic', 'claude-haiku-4-5', 1), target('openai', 'gpt-4o-mini', 0)], { retry: noRetry })], limitedOpenai),
    limiter: full,
    script: { anthropic: [{ kind: 'json', status: 503 }, { kind: 'json', status: 503 }, { kind: 'json', status: 503 }, ok] },
  });
  for (let index = 0; index < 3; index += 1) await h.run(CHAT);
  assert.equal(h.health.state('anthropic', 'claude-haiku-4-5'), 'open');
  const result = await h.run(CHAT);
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'circuit_open', 'skipped'],
    ['openai', 'quota_full', 'skipped'],
    ['anthropic', null, 'success'],
  ]);
});
