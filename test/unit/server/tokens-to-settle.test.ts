import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttemptRecord, EngineResult } from '../../../runtime/routing/types.js';
import { tokensToSettle } from '../../../runtime/server/routes/chat-completions.js';

const usage = (total: number) => ({ prompt_tokens: total - 1, completion_tokens: 1, total_tokens: total });
const attempt = (extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
  provider: 'openai', providerType: 'openai', model: 'm', status: 503, reason: 'retryable_5xx', outcome: 'failover', startMs: 0, durationMs: 1, dropped: [], ...extra,
});
const result = (extra: Partial<EngineResult>): EngineResult => ({
  requestId: 'r', route: 'chat', stream: true, outcome: 'success', status: 200, attempts: [], durationMs: 1, malformed: 0, ...extra,
});

test('a credential is charged the answering model\'s usage; otherwise what attempts reported; else 0 or the estimate', () => {
  assert.equal(tokensToSettle(result({ usage: usage(32) })), 32);
  assert.equal(tokensToSettle(result({ outcome: 'interrupted', attempts: [attempt({ usage: usage(12) }), attempt({ usage: usage(5) })] })), 17);
  assert.equal(tokensToSettle(result({ outcome: 'error', status: 502, attempts: [attempt(), attempt()] })), 0, 'nothing answered: released');
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'aborted', status: 499, attempts: [attempt({ status: 200, reason: 'aborted', outcome: 'aborted', firstContentMs: 5 })] }))), 'a cut answer keeps its estimate');
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'aborted', status: 499, attempts: [attempt({ status: 0, outcome: 'aborted' })] }))), 'a call in flight when the client left may have generated');
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'interrupted', attempts: [attempt({ status: 200, outcome: 'aborted', firstContentMs: 5 })] }))));
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'success' }))), 'an answer without usage keeps its estimate');
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'success', attempts: [attempt({ usage: usage(12), outcome: 'continued', reason: 'stream_error' }), attempt({ status: 200, reason: null, outcome: 'success' })] }))),
    'a continued answer whose continuation reported no usage is not charged the broken part alone');
  // A continued answer is charged both parts, and keeps its estimate when the broken part reported nothing.
  assert.equal(tokensToSettle(result({ usage: usage(30), attempts: [attempt({ usage: usage(12), outcome: 'continued', reason: 'stream_error' }), attempt({ status: 200, reason: null, outcome: 'success', usage: usage(30) })] })), 42);
  assert.ok(Number.isNaN(tokensToSettle(result({ usage: usage(2), attempts: [attempt({ status: 200, outcome: 'continued', reason: 'stream_error', firstContentMs: 5 }), attempt({ status: 200, reason: null, outcome: 'success', usage: usage(2) })] }))),
    'the broken attempt\'s tokens are unknown: not settled at the continuation\'s 2');
  // Calls the gateway cut itself (latency budget, route timeout) may have generated: no answer, but the estimate stays.
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'error', status: 504, attempts: [attempt({ status: 0, reason: 'latency', outcome: 'failover' }), attempt({ status: 0, outcome: 'aborted', reason: 'timeout' })] }))));
  assert.ok(Number.isNaN(tokensToSettle(result({ outcome: 'error', status: 502, attempts: [attempt({ status: 0, reason: 'latency', outcome: 'failover' }), attempt({ status: 0, reason: 'latency', outcome: 'failover' })] }))));
  assert.ok(Number.isNaN(tokensToSettle(undefined)));
});

test('a client that leaves while no call is in flight (a retry\'s backoff, before the first call) is released, not charged its estimate', () => {
  assert.equal(tokensToSettle(result({ outcome: 'aborted', status: 499, attempts: [attempt({ outcome: 'retry' })] })), 0, 'left during the backoff after a 503');
  assert.equal(tokensToSettle(result({ outcome: 'aborted', status: 499, attempts: [] })), 0, 'left before the first call');
  assert.equal(tokensToSettle(result({ outcome: 'aborted', status: 499, attempts: [attempt({ outcome: 'skipped', status: 0, reason: 'circuit_open' })] })), 0);
});
