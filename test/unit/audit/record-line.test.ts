import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAuditRecord, type AuditAttempt, type AuditInput, type CaptureSettings } from '../../../runtime/audit/record.js';
import { auditRecordLine, isoTime, lineRecord, numeral } from '../../../runtime/audit/record-line.js';
import { toMicroseconds, traceToAuditInput } from '../../../runtime/server/audit-trace.js';
import { newTrace } from '../../../runtime/server/gateway-deps.js';
import { realClock } from '../../../runtime/clock.js';
import type { EngineResult } from '../../../runtime/routing/types.js';
import { toQueuedRecord } from '../../../runtime/audit/queue.js';
import { createRedactor } from '../../../runtime/audit/redact.js';
import { seededRandom } from '../../../runtime/clock.js';
import type { CapturePolicy } from '../../../runtime/manifest/types.js';
import { ANSWERED_INPUT } from './audit-test-kit.js';

const redactor = createRedactor({ redact: [{ preset: 'email' }, { preset: 'api_key' }], maxCaptureChars: 40 });
const settings = (prompt: CapturePolicy, completion: CapturePolicy): CaptureSettings => ({ prompt, completion, redactor });

/** The shared answered request, with odd values in every kind of field: escapes, fractions, options. */
const answered: AuditInput = {
  ...ANSWERED_INPUT,
  eventId: 'e5c1d2a0-0000-4000-8000-000000000001',
  userAgent: 'OpenAI/JS 6.0 "quoted" \u2028 ünïcode',
  attempts: [
    { provider: 'openai', model: 'gpt-4o-mini', status: 503, reason: 'retryable_5xx', outcome: 'failure', durationMs: 120.25 },
    ...ANSWERED_INPUT.attempts.slice(1),
  ],
  ttfbMs: 350.125,
  promptMessages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Mail jane@example.com with key sk-abcdefghijklmnopqrstuv\n\ttabs "and" quotes' }],
  completionText: 'Done. 😀 \\ backslash',
  droppedParams: ['logit_bias', 'seed'],
  clientAborted: true,
};

const rejected: AuditInput = {
  timestamp: 0, requestId: 'req-2', method: 'POST', path: '/v1/chat/completions', clientAddress: 'unix:/tmp/s',
  attempts: [], stream: false, status: 401, errorCode: 'AIGW_E_UNAUTHENTICATED', errorMessage: 'missing bearer key', durationMs: 1,
};

/** Members set to undefined, as traceToAuditInput leaves them (the types forbid it; the runtime does it). */
const loose = (input: Record<string, unknown>): AuditInput => input as unknown as AuditInput;

function same(input: AuditInput, capture: CaptureSettings, label: string): void {
  assert.equal(auditRecordLine(input, capture), JSON.stringify(buildAuditRecord(input, capture)), label);
}

test('the direct line is the record serialised, for answered, rejected and partial requests under every capture policy', () => {
  const policies: CapturePolicy[] = ['full', 'hash', 'none'];
  for (const prompt of policies) {
    for (const completion of policies) {
      const capture = settings(prompt, completion);
      same(answered, capture, `answered ${prompt}/${completion}`);
      same(rejected, capture, `rejected ${prompt}/${completion}`);
      same(loose({ ...answered, usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, droppedParams: [], clientAborted: undefined }), capture, 'no cached tokens, no drops');
      same(loose({ ...rejected, clientAddress: '::1', errorMessage: undefined, credentialId: 'c' }), capture, 'IPv6 client, error without message');
      same({ ...rejected, status: 400, errorMessage: "input: 'mail jane@example.com, key sk-abcdefghijklmnopqrstuv'" }, capture, 'error message quoting the request');
      same(loose({ ...answered, requestedModel: undefined, model: undefined, finishReason: undefined, providerType: 'vllm' }), capture, 'empty gen_ai.request and response dropped');
    }
  }
});

test('the direct line redacts error.message as the record does', () => {
  const line = auditRecordLine({ ...rejected, status: 400, errorMessage: "input: 'mail jane@example.com'" }, settings('none', 'none'));
  assert.match(line, /"error":\{"code":"AIGW_E_UNAUTHENTICATED","message":"input: 'mail \[REDACTED:email\]'"\}/);
  assert.doesNotMatch(line, /jane@example\.com/);
});

test('aigw.failover is written as the record has it, for every kind of attempt list', () => {
  const { failover: _verdict, ...withoutVerdict } = answered;
  for (const failover of [true, false, undefined]) same({ ...withoutVerdict, ...(failover === undefined ? {} : { failover }) }, settings('none', 'none'), String(failover));
});

test('numbers JSON cannot carry become null exactly as in the record', () => {
  same({ ...answered, ttfbMs: Number.NaN, durationMs: 2.5e-7, attempts: [{ provider: 'p', model: 'm', outcome: 'failure', durationMs: Number.POSITIVE_INFINITY }] }, settings('full', 'full'), 'NaN and Infinity');
});

test('numbers print as String prints them: durations in whole microseconds, and any other number', () => {
  const random = seededRandom(5);
  const values = [0, -0, 0.001, 0.01, 0.1, 0.5, 0.999, 1, 1.5, 10.25, 999_999_999.999, 1e9, 1e9 + 0.5, 0.0005, 1e-7, -1, -0.25, 123.456, 2 ** 31, 2 ** 53, 1e21, 0.1 + 0.2];
  for (let index = 0; index < 5_000; index += 1) {
    const ms = random.next() * 10 ** Math.floor(random.next() * 10);
    values.push(ms, toMicroseconds(ms), -ms);
  }
  for (const value of values) assert.equal(numeral(value), String(value), `number ${value}`);
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) assert.equal(numeral(value), 'null');
});

test('durations are kept to the microsecond: the request, its time to first byte and each attempt', () => {
  assert.equal(toMicroseconds(12.345678), 12.346);
  assert.equal(toMicroseconds(0.0004), 0);
  assert.equal(toMicroseconds(800), 800);
  const trace = newTrace(realClock);
  trace.result = {
    outcome: 'success', status: 200, timeToFirstByteMs: 3.1415926,
    attempts: [{ provider: 'p', model: 'm', outcome: 'success', status: 200, reason: null, durationMs: 2.7182818, dropped: [] }],
  } as unknown as EngineResult;
  const input = traceToAuditInput(trace, { requestId: 'r', clientAddress: undefined, userAgent: undefined, method: 'POST', path: '/v1/chat/completions', status: 200, durationMs: 9.87654321 });
  assert.equal(input.durationMs, 9.877);
  assert.equal(input.ttfbMs, 3.142);
  assert.equal(input.attempts[0]?.durationMs, 2.718);
});

test('an invalid timestamp throws as building the record does', () => {
  assert.throws(() => auditRecordLine({ ...rejected, timestamp: Number.NaN }, settings('none', 'none')), RangeError);
  assert.throws(() => buildAuditRecord({ ...rejected, timestamp: Number.NaN }, settings('none', 'none')), RangeError);
});

/** Optional members present or absent at random, so every omission path meets every neighbour. */
test('seeded random inputs: the line always equals the serialised record', () => {
  const random = seededRandom(8);
  const maybe = <T>(value: T): T | undefined => (random.next() < 0.5 ? value : undefined);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random.next() * values.length)] as T;
  const outcomes: AuditAttempt['outcome'][] = ['success', 'failure', 'skipped'];
  for (let index = 0; index < 500; index += 1) {
    const attempts: AuditAttempt[] = Array.from({ length: Math.floor(random.next() * 4) }, (_, position) => {
      const attempt: { -readonly [K in keyof AuditAttempt]: AuditAttempt[K] } = { provider: `p${position % 2}`, model: pick(['m"x', 'm']), outcome: pick(outcomes), durationMs: Math.round(random.next() * 1e5) / 100 };
      if (random.next() < 0.5) attempt.status = pick([200, 429, 503]);
      if (random.next() < 0.5) attempt.reason = pick(['rate_limited', 'latency', 'circuit_open']);
      return attempt;
    });
    const candidate: Record<string, unknown> = {
      timestamp: Math.floor(random.next() * 2e12),
      eventId: maybe(`event-${index}`),
      requestId: `req-${index}`,
      credentialId: maybe('cred'),
      clientAddress: maybe(pick(['127.0.0.1', '::ffff:10.0.0.1', 'unix:/x'])),
      userAgent: maybe('ua/1'),
      method: 'POST',
      path: '/v1/chat/completions',
      route: maybe('r'),
      requestedModel: maybe('gpt'),
      provider: maybe('prov'),
      providerType: maybe(pick(['openai', 'anthropic', 'ollama', 'bedrock'])),
      model: maybe('model'),
      attempts,
      usage: maybe({ promptTokens: 5, completionTokens: 6, totalTokens: 11, ...(random.next() < 0.5 ? { cachedPromptTokens: 2 } : {}) }),
      stream: random.next() < 0.5,
      status: pick([200, 400, 401, 499, 502, 504]),
      errorCode: maybe('AIGW_E_X'),
      errorMessage: maybe('went <wrong> "badly"'),
      ttfbMs: maybe(random.next() * 1000),
      durationMs: random.next() * 5000,
      promptMessages: maybe([{ role: 'user', content: `hello ${index} jane@example.com` }]),
      completionText: maybe(pick(['', 'short', 'a much longer completion text that the capture limit will cut somewhere'])),
      finishReason: maybe('length'),
      rawFinishReason: maybe('max_tokens'),
      droppedParams: maybe(pick([[], ['seed'], ['a', 'b']])),
      clientAborted: maybe(true),
      manifestVersion: maybe('v1'),
    };
    same(loose(candidate), settings(pick(['full', 'hash', 'none']), pick(['full', 'hash', 'none'])), `random input ${index}`);
  }
});

test('the cached ISO time is toISOString for any time Date accepts, and throws where it throws', () => {
  const random = seededRandom(11);
  const times = [0, -0, -1, -0.5, 0.999, 999.5, 1_000, -1_000.25, 8.64e15, -8.64e15, Date.UTC(2026, 0, 1, 23, 59, 59, 999)];
  for (let index = 0; index < 2_000; index += 1) {
    const base = Math.floor(random.next() * 4e12) - 1e12;
    // Runs of nearby times exercise the kept second; far ones replace it.
    times.push(base, base + random.next() * 2_000, base + 0.5, -base);
  }
  for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString(), `time ${ms}`);
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1, -8.64e15 - 500]) {
    assert.throws(() => isoTime(bad), RangeError, `time ${bad}`);
  }
});

test('a line record queues exactly what the built record queues (id, line and bytes), with or without an event id', () => {
  for (const input of [answered, rejected, loose({ ...answered, eventId: undefined })]) {
    const capture = settings('hash', 'full');
    const record = lineRecord(input, capture);
    assert.deepEqual(toQueuedRecord(record), toQueuedRecord(buildAuditRecord(input, capture)));
    assert.equal(record.http.request.id, input.requestId, 'a lost record is still named by its request id');
  }
});

test('strings of any UTF-16 code units (quotes, controls, lone and paired surrogates) escape as JSON.stringify escapes them', () => {
  const random = seededRandom(3);
  const units = [0x22, 0x5c, 0x00, 0x1f, 0x0a, 0x7f, 0x2028, 0xd83d, 0xde00, 0xdc00, 0x41, 0xe9, 0x20];
  for (let index = 0; index < 300; index += 1) {
    const text = String.fromCharCode(...Array.from({ length: Math.floor(random.next() * 8) }, () => units[Math.floor(random.next() * units.length)] as number));
    same({ ...rejected, userAgent: text, requestId: `id${text}`, route: text, errorMessage: text }, settings('full', 'full'), `string ${JSON.stringify(text)}`);
  }
});
