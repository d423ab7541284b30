/** What one finished chat request adds to the metrics: manifest model labels, real failovers only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttemptRecord, EngineResult } from '../../../runtime/routing/types.js';
import { fakeEngine, testApp } from './app-harness.js';

const attempt = (provider: string, model: string, outcome: AttemptRecord['outcome'], reason: AttemptRecord['reason']): AttemptRecord => ({
  provider, providerType: 'openai', model, status: outcome === 'success' ? 200 : 503, reason, outcome, startMs: 0, durationMs: 1, dropped: [],
});

async function metricsAfter(result: Partial<EngineResult>): Promise<string> {
  const engine = fakeEngine(async (input) => ({
    requestId: input.requestId, route: input.route.name, stream: false, outcome: 'success', status: 200, attempts: [], durationMs: 1, malformed: 0,
    completion: { id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }] },
    ...result,
  } as EngineResult));
  const { app, metrics } = testApp({ engine });
  await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
  const text = await metrics.registry.metrics();
  await app.close();
  return text;
}

test('tokens are labelled with the manifest model of the answering attempt, not the model string the provider returned', async () => {
  const text = await metricsAfter({
    provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini-2024-07-18',
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    attempts: [attempt('openai', 'gpt-4o-mini', 'success', null)],
  });
  assert.match(text, /aigw_tokens_total\{provider="openai",model="gpt-4o-mini",kind="prompt"\} 10/);
  assert.doesNotMatch(text, /2024-07-18/);
});

test('a failover counts only when another call followed it: the last candidate\'s failure is not a failover', async () => {
  const text = await metricsAfter({
    outcome: 'error', status: 502,
    error: { status: 502, code: 'AIGW_E_ALL_ATTEMPTS_FAILED', envelope: { error: { message: 'x', type: 'server_error', param: null, code: 'upstream_error' } }, headers: {} },
    attempts: [attempt('a', 'm', 'failover', 'retryable_5xx'), attempt('b', 'm', 'failover', 'retryable_5xx'), attempt('c', 'm', 'failover', 'retryable_5xx')],
  });
  const failovers = [...text.matchAll(/^aigw_failovers_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  assert.equal(failovers, 2);
});

/** The sum of a counter's series whose labels include all of `labels`. */
function total(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const series = match[1] ?? '';
    if (Object.entries(labels).every(([label, value]) => series.includes(`${label}="${value}"`))) sum += Number(match[2]);
  }
  return sum;
}

const allFailed = {
  outcome: 'error', status: 502,
  error: { status: 502, code: 'AIGW_E_ALL_ATTEMPTS_FAILED', envelope: { error: { message: 'x', type: 'server_error', param: null, code: 'upstream_error' } }, headers: {} },
} as const;

test('two targets both failing: one attempt counted as a failover, the last one as returned, one failover', async () => {
  const text = await metricsAfter({ ...allFailed, attempts: [attempt('a', 'm1', 'failover', 'retryable_5xx'), attempt('b', 'm2', 'failover', 'retryable_5xx')] });
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'a', outcome: 'failover' }), 1);
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'b', outcome: 'failover' }), 0);
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'b', model: 'm2', outcome: 'returned', reason: 'retryable_5xx' }), 1);
  assert.equal(total(text, 'aigw_failovers_total', {}), 1);
  assert.equal(total(text, 'aigw_attempts_total', { outcome: 'failover' }), total(text, 'aigw_failovers_total', {}), 'the two metrics agree');
});

test('a single target failing has no failover outcome and counts no failover', async () => {
  const text = await metricsAfter({ ...allFailed, attempts: [attempt('a', 'm', 'failover', 'retryable_5xx')] });
  assert.equal(total(text, 'aigw_attempts_total', { outcome: 'failover' }), 0);
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'a', outcome: 'returned', reason: 'retryable_5xx' }), 1);
  assert.equal(total(text, 'aigw_failovers_total', {}), 0);
});

test('a failure followed only by skipped candidates, or a continuation nobody took up, ended the run: returned', async () => {
  const skippedAfter = await metricsAfter({ ...allFailed, attempts: [attempt('a', 'm', 'failover', 'retryable_5xx'), attempt('b', 'm', 'skipped', 'circuit_open')] });
  assert.equal(total(skippedAfter, 'aigw_attempts_total', { provider: 'a', outcome: 'returned' }), 1);
  assert.equal(total(skippedAfter, 'aigw_attempts_total', { provider: 'b', outcome: 'skipped', reason: 'circuit_open' }), 1);
  assert.equal(total(skippedAfter, 'aigw_failovers_total', {}), 0);
  const continuedAlone = await metricsAfter({ ...allFailed, attempts: [attempt('a', 'm', 'continued', 'stream_error'), attempt('b', 'm', 'skipped', 'quota_full')] });
  assert.equal(total(continuedAlone, 'aigw_attempts_total', { outcome: 'continued' }), 0);
  assert.equal(total(continuedAlone, 'aigw_attempts_total', { provider: 'a', outcome: 'returned', reason: 'stream_error' }), 1);
  assert.equal(total(continuedAlone, 'aigw_failovers_total', {}), 0);
});

test('a retry whose next try was skipped, then another target: a failover in the metrics as in the audit record', async () => {
  const text = await metricsAfter({
    provider: 'b', providerType: 'openai', model: 'm',
    attempts: [attempt('a', 'm', 'retry', 'retryable_5xx'), attempt('a', 'm', 'skipped', 'circuit_open'), attempt('b', 'm', 'success', null)],
  });
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'a', outcome: 'failover', reason: 'retryable_5xx' }), 1);
  assert.equal(total(text, 'aigw_attempts_total', { outcome: 'retry' }), 0);
  assert.equal(total(text, 'aigw_failovers_total', { provider: 'a', reason: 'retryable_5xx' }), 1);
});

test('a retry that never ran (the run ended first) ended the run: returned, not retry', async () => {
  const text = await metricsAfter({ ...allFailed, status: 504, attempts: [attempt('a', 'm', 'retry', 'retryable_5xx')] });
  assert.equal(total(text, 'aigw_attempts_total', { provider: 'a', outcome: 'returned', reason: 'retryable_5xx' }), 1);
  assert.equal(total(text, 'aigw_attempts_total', { outcome: 'retry' }), 0);
  assert.equal(total(text, 'aigw_failovers_total', {}), 0);
});
