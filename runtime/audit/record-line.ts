/**
 * The audit record written straight as its JSON line: byte for byte what
 * `JSON.stringify(buildAuditRecord(input, settings))` gives (same keys, same order, undefined members
 * and objects left empty omitted), without building the record, compacting it and walking it again
 * to serialise it. That detour was the largest single cost of a request on the gateway's hot path
 * (issue 8 profile: ≈ 10 µs and a dozen short-lived objects per request). record.ts stays the
 * definition of the record; test/unit/audit/record-line.test.ts pins the equality on a table of
 * inputs and on seeded random ones.
 */
import { QUEUED_LINE, queuedLine } from './queue.js';
import { auditOutcome, captureTexts, ECS_VERSION, genAiSystemOf, isIp, type AuditAttempt, type AuditInput, type AuditRecord, type CaptureSettings } from './record.js';
import type { CapturedText } from './redact.js';

/** Date's own range: ±8.64e15 ms around the epoch. */
const MAX_TIME_MS = 8.64e15;

/**
 * `new Date(ms).toISOString()` for the record's two times. toISOString costs about 0.3 µs; records
 * written within the same second share everything before the milliseconds, so that part is kept.
 */
const lastSecond = { second: Number.NaN, prefix: '' };

export function isoTime(ms: number): string {
  // Date's TimeClip: truncated toward zero; out of range (or NaN) throws the RangeError Date throws.
  const whole = Math.trunc(ms) + 0;
  if (!(Math.abs(whole) <= MAX_TIME_MS)) return new Date(Number.NaN).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== lastSecond.second) {
    // 'YYYY-MM-DDTHH:MM:SS.000Z' (or an extended ±YYYYYY year): everything but '000Z'.
    lastSecond.prefix = new Date(second * 1000).toISOString().slice(0, -4);
    lastSecond.second = second;
  }
  const milliseconds = whole - second * 1000;
  return `${lastSecond.prefix}${milliseconds < 10 ? '00' : milliseconds < 100 ? '0' : ''}${milliseconds}Z`;
}

/**
 * Strings JSON.stringify would print as they are between quotes: no quote, backslash or control
 * character, and no surrogate (a lone one is escaped; a paired one is left to JSON.stringify too).
 */
const PLAIN = /^[^\u0000-\u001f"\\\ud800-\udfff]*$/;

/** JSON text of a primitive member, or undefined to leave the member out (as compact() does). */
function json(value: string | number | boolean | null | undefined): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      // Ids, names and codes are plain: quoting them directly costs half of JSON.stringify.
      return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      // JSON.stringify prints a finite number as String does, and NaN or ±Infinity as null.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return 'null';
  }
}

/** Appends `"key":value` to an object body (no braces) unless the value is to be left out. */
function member(body: string, key: string, value: string | undefined): string {
  if (value === undefined) return body;
  return body === '' ? `"${key}":${value}` : `${body},"${key}":${value}`;
}

/** `{body}`, or undefined for an object left empty (compact() drops those). */
function object(body: string): string | undefined {
  return body === '' ? undefined : `{${body}}`;
}

function attemptJson(attempt: AuditAttempt): string {
  let body = member('', 'provider', json(attempt.provider));
  body = member(body, 'model', json(attempt.model));
  body = member(body, 'status', json(attempt.status));
  body = member(body, 'reason', json(attempt.reason));
  body = member(body, 'outcome', json(attempt.outcome));
  body = member(body, 'duration_ms', json(attempt.durationMs));
  // Array items are compacted but kept even when empty.
  return `{${body}}`;
}

function captureJson(captured: CapturedText | undefined): string | undefined {
  if (captured === undefined) return undefined;
  let body = member('', 'capture', json(captured.capture));
  body = member(body, 'sha256', json(captured.sha256));
  body = member(body, 'chars', json(captured.chars));
  body = member(body, 'truncated', json(captured.truncated));
  return object(body);
}

/** The record's JSON line (no newline). Throws where buildAuditRecord throws (an invalid timestamp). */
export function auditRecordLine(input: AuditInput, settings: CaptureSettings): string {
  const { prompt, completion } = captureTexts(input, settings);
  const started = `"${isoTime(input.timestamp)}"`;
  const usage = input.usage;

  let event = member('', 'id', json(input.eventId));
  event = `${member(event, 'kind', '"event"')},"category":["web"],"type":["access"],"dataset":"aigw.audit","action":"chat-completion"`;
  event = member(event, 'outcome', json(auditOutcome(input)));
  event = member(event, 'start', started);
  event = member(event, 'end', `"${isoTime(input.timestamp + input.durationMs)}"`);
  // ECS durations are nanoseconds.
  event = member(event, 'duration', json(Math.round(input.durationMs * 1_000_000)));

  let line = member('', '@timestamp', started);
  line = member(line, 'ecs', `{"version":${json(ECS_VERSION)}}`);
  line = member(line, 'event', object(event));
  const request = object(member(member('', 'id', json(input.requestId)), 'method', json(input.method)));
  line = member(line, 'http', object(member(member('', 'request', request), 'response', object(member('', 'status_code', json(input.status))))));
  line = member(line, 'url', object(member('', 'path', json(input.path))));
  if (input.clientAddress !== undefined) {
    line = member(line, 'client', object(member(member('', 'address', json(input.clientAddress)), 'ip', isIp(input.clientAddress) ? json(input.clientAddress) : undefined)));
  }
  if (input.credentialId !== undefined) line = member(line, 'user', object(member('', 'id', json(input.credentialId))));
  if (input.userAgent !== undefined) line = member(line, 'user_agent', object(member('', 'original', json(input.userAgent))));
  line = member(line, 'transaction', object(member('', 'id', json(input.requestId))));
  if (input.errorCode !== undefined) line = member(line, 'error', object(member(member('', 'code', json(input.errorCode)), 'message', json(input.errorMessage))));

  let genAi = member('', 'system', json(genAiSystemOf(input.providerType)));
  genAi = member(genAi, 'operation', '{"name":"chat"}');
  genAi = member(genAi, 'request', object(member('', 'model', json(input.requestedModel))));
  genAi = member(genAi, 'response', object(member(member('', 'model', json(input.model)), 'finish_reasons', input.finishReason === undefined ? undefined : `[${JSON.stringify(input.finishReason)}]`)));
  if (usage !== undefined) genAi = member(genAi, 'usage', object(member(member('', 'input_tokens', json(usage.promptTokens)), 'output_tokens', json(usage.completionTokens))));
  genAi = member(genAi, 'prompt', json(prompt?.text));
  genAi = member(genAi, 'completion', json(completion?.text));
  line = member(line, 'gen_ai', object(genAi));

  let calls = 0;
  let failover = false;
  let attempts = '';
  for (const attempt of input.attempts) {
    if (attempt.outcome !== 'skipped') calls += 1;
    if (attempt.outcome === 'failure') failover = true;
    attempts += attempts === '' ? attemptJson(attempt) : `,${attemptJson(attempt)}`;
  }
  let aigw = member('', 'route', json(input.route));
  aigw = member(aigw, 'provider', json(input.provider));
  aigw = member(aigw, 'model', json(input.model));
  aigw = member(aigw, 'attempts', `[${attempts}]`);
  aigw = member(aigw, 'attempt_count', json(calls));
  aigw = member(aigw, 'failover', json(failover));
  aigw = member(aigw, 'stream', json(input.stream));
  aigw = member(aigw, 'ttfb_ms', json(input.ttfbMs));
  aigw = member(aigw, 'duration_ms', json(input.durationMs));
  if (usage !== undefined) aigw = member(aigw, 'usage', object(member(member('', 'total_tokens', json(usage.totalTokens)), 'cached_input_tokens', json(usage.cachedPromptTokens))));
  aigw = member(aigw, 'finish_reason_raw', json(input.rawFinishReason));
  if (input.droppedParams !== undefined && input.droppedParams.length > 0) aigw = member(aigw, 'dropped_params', JSON.stringify(input.droppedParams));
  aigw = member(aigw, 'client_aborted', json(input.clientAborted));
  aigw = member(aigw, 'manifest_version', json(input.manifestVersion));
  aigw = member(aigw, 'prompt', captureJson(prompt));
  aigw = member(aigw, 'completion', captureJson(completion));
  line = member(line, 'aigw', object(aigw));
  return `{${line}}`;
}

/**
 * The record for `AuditWriter.enqueue` with its line already written: its fields are only the ids
 * (the writer names a lost record by its request id); the writer queues the line as is.
 */
export function lineRecord(input: AuditInput, settings: CaptureSettings): AuditRecord {
  const http = { request: { id: input.requestId } };
  const event = input.eventId === undefined ? undefined : { id: input.eventId };
  const queued = queuedLine({ event, http }, auditRecordLine(input, settings));
  return event === undefined
    ? { '@timestamp': isoTime(input.timestamp), http, [QUEUED_LINE]: queued }
    : { '@timestamp': isoTime(input.timestamp), event, http, [QUEUED_LINE]: queued };
}
