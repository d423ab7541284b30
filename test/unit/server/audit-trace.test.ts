/**
 * A finished run mapped onto the audit input (runtime/server/audit-trace.ts) and written as its record:
 * who served a stream that began and then broke or lost its client, and whether a failover happened.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditRecordLine } from '../../../runtime/audit/record-line.js';
import { createRedactor } from '../../../runtime/audit/redact.js';
import { realClock } from '../../../runtime/clock.js';
import { traceToAuditInput } from '../../../runtime/server/audit-trace.js';
import { newTrace } from '../../../runtime/server/gateway-deps.js';
import type { AttemptRecord, EngineResult } from '../../../runtime/routing/types.js';

const settings = { prompt: 'none', completion: 'none', redactor: createRedactor({ redact: [], maxCaptureChars: 100 }) } as const;

const interruptedError = {
  status: 200, code: 'AIGW_E_STREAM_INTERRUPTED', headers: {},
  envelope: { error: { message: 'The stream was interrupted after 4 chunks', type: 'server_error', param: null, code: 'stream_interrupted' } },
} as const;

function attempt(provider: string, providerType: AttemptRecord['providerType'], model: string, outcome: AttemptRecord['outcome'],
  reason: AttemptRecord['reason'], firstContentMs?: number): AttemptRecord {
  const record: AttemptRecord = { provider, providerType, model, status: 200, reason, outcome, startMs: 0, durationMs: 5, dropped: [] };
  return firstContentMs === undefined ? record : { ...record, firstContentMs };
}

/** The record's `aigw` and `gen_ai` members for a run with this result. */
function recordOf(result: Partial<EngineResult>, stream = true): { aigw: Record<string, unknown>; genAi: Record<string, unknown> } {
  const trace = newTrace(realClock);
  trace.stream = stream;
  trace.route = 'chat';
  trace.result = { requestId: 'r', route: 'chat', stream, outcome: 'success', status: 200, attempts: [], durationMs: 10, malformed: 0, ...result };
  const input = traceToAuditInput(trace, { requestId: 'r', clientAddress: undefined, userAgent: undefined, method: 'POST', path: '/v1/chat/completions', status: 200, durationMs: 10 });
  const record = JSON.parse(auditRecordLine(input, settings)) as { aigw: Record<string, unknown>; gen_ai: Record<string, unknown> };
  return { aigw: record.aigw, genAi: record.gen_ai };
}

test('a stream interrupted on its only attempt names the provider and model that served it, and is no failover', () => {
  const { aigw, genAi } = recordOf({
    outcome: 'interrupted', error: interruptedError, timeToFirstByteMs: 3,
    attempts: [attempt('openai', 'openai', 'gpt-4o-mini', 'returned', 'stream_error', 3)],
  });
  assert.equal(aigw['provider'], 'openai');
  assert.equal(aigw['model'], 'gpt-4o-mini');
  assert.equal(aigw['failover'], false);
  assert.equal(genAi['system'], 'openai');
  assert.deepEqual(genAi['response'], { model: 'gpt-4o-mini' });
});

test('a broken stream whose continuation was rejected names the attempt whose content reached the client, and is a failover', () => {
  const { aigw, genAi } = recordOf({
    outcome: 'interrupted', error: interruptedError, timeToFirstByteMs: 3,
    attempts: [
      attempt('openai', 'openai', 'gpt-4o-mini', 'continued', 'stream_error', 3),
      attempt('anthropic', 'anthropic', 'claude-haiku-4-5', 'failover', 'client_error'),
    ],
  });
  assert.equal(aigw['provider'], 'openai');
  assert.equal(aigw['model'], 'gpt-4o-mini');
  assert.equal(aigw['failover'], true);
  assert.equal(genAi['system'], 'openai');
});

test('a continuation that broke in turn names the continuing attempt: the last whose content reached the client', () => {
  const { aigw } = recordOf({
    outcome: 'interrupted', error: interruptedError,
    attempts: [
      attempt('openai', 'openai', 'gpt-4o-mini', 'continued', 'stream_error', 3),
      attempt('anthropic', 'anthropic', 'claude-haiku-4-5', 'returned', 'stream_error', 4),
    ],
  });
  assert.equal(aigw['provider'], 'anthropic');
  assert.equal(aigw['model'], 'claude-haiku-4-5');
  assert.equal(aigw['failover'], true);
});

test('a stream whose client left after content names the provider it was reading', () => {
  const { aigw } = recordOf({ outcome: 'aborted', status: 499, attempts: [attempt('anthropic', 'anthropic', 'claude-haiku-4-5', 'aborted', 'aborted', 2)] });
  assert.equal(aigw['provider'], 'anthropic');
  assert.equal(aigw['failover'], false);
});

test('an answered run keeps the model the engine names (the provider\'s own), not the attempt\'s', () => {
  const { aigw } = recordOf({
    provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini-2024-07-18',
    attempts: [attempt('openai', 'openai', 'gpt-4o-mini', 'success', null, 3)],
  });
  assert.equal(aigw['provider'], 'openai');
  assert.equal(aigw['model'], 'gpt-4o-mini-2024-07-18');
  assert.equal(aigw['failover'], false);
});

test('a run that failed before any content names no provider (the attempts list who was tried)', () => {
  for (const stream of [true, false]) {
    const { aigw } = recordOf({
      outcome: 'error', status: 502,
      attempts: [attempt('openai', 'openai', 'gpt-4o-mini', 'failover', 'retryable_5xx'), attempt('anthropic', 'anthropic', 'claude-haiku-4-5', 'failover', 'retryable_5xx')],
    }, stream);
    assert.equal(aigw['provider'], undefined);
    assert.equal(aigw['model'], undefined);
    assert.equal(aigw['failover'], true);
  }
});

test('aigw.failover is counted as aigw_failovers_total counts it: a retry whose own next try was skipped, then another target, is one', () => {
  const { aigw } = recordOf({
    provider: 'anthropic', providerType: 'anthropic', model: 'claude-haiku-4-5',
    attempts: [
      attempt('openai', 'openai', 'gpt-4o-mini', 'retry', 'retryable_5xx'),
      { ...attempt('openai', 'openai', 'gpt-4o-mini', 'skipped', 'circuit_open'), status: 0 },
      attempt('anthropic', 'anthropic', 'claude-haiku-4-5', 'success', null),
    ],
  }, false);
  assert.equal(aigw['failover'], true);
  const retried = recordOf({ provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini', attempts: [
    attempt('openai', 'openai', 'gpt-4o-mini', 'retry', 'retryable_5xx'), attempt('openai', 'openai', 'gpt-4o-mini', 'success', null),
  ] }, false);
  assert.equal(retried.aigw['failover'], false, 'a retry of the same target is none');
});
