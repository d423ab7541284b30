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
import { auditErrorMessage, auditOutcome, captureTexts, ECS_VERSION, genAiSystemOf, isIp, type AuditAttempt, type AuditInput, type AuditRecord, type CaptureSettings } from './record.js';
import type { CapturedText } from './redact.js';

/** The ecs member's value: a constant. */
const ECS_JSON = `{"version":${JSON.stringify(ECS_VERSION)}}`;

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

/** A string as JSON: ids, names and codes are plain, and quoting them directly costs half of JSON.stringify. */
function quote(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** '', '.001' … '.999' with trailing zeros dropped: the fraction of a number of whole microseconds. */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, index) => (index === 0 ? '' : `.${String(index).padStart(3, '0').replace(/0+$/, '')}`));

/**
 * A number as JSON: a finite one as String prints it, NaN and ±Infinity as null. Durations arrive
 * rounded to the microsecond (audit-trace.ts), and for those the digits are put together here:
 * printing a fractional double (shortest round trip) was a visible cost of every record. Below 1e9 a
 * double is exact to far finer than 0.001, so the three-decimal text is String's shortest form.
 */
export function numeral(value: number): string {
  if (value >= 0 && value < 1e9) {
    const thousandths = Math.round(value * 1000);
    if (thousandths / 1000 === value) {
      const fraction = thousandths % 1000;
      return `${(thousandths - fraction) / 1000}${THOUSANDTHS[fraction] ?? ''}`;
    }
  }
  return Number.isFinite(value) ? String(value) : 'null';
}

/*
 * Optional members. `prefix` is the member's `"key":` with its comma before (`,"key":`) or after
 * (`"key":…,` — see `before`), so a member left out takes its comma with it and the line needs no
 * second pass. Each returns '' for an undefined value (compact() leaves those out).
 */
function text(prefix: string, value: string | undefined): string {
  return value === undefined ? '' : prefix + quote(value);
}

function count(prefix: string, value: number | undefined): string {
  return value === undefined ? '' : prefix + numeral(value);
}

function flag(prefix: string, value: boolean | undefined): string {
  return value === undefined ? '' : value ? `${prefix}true` : `${prefix}false`;
}

/** `"key":"value",` for a member that comes before one always written (its comma goes after it). */
function before(key: string, value: string | undefined): string {
  return value === undefined ? '' : `"${key}":${quote(value)},`;
}

function attemptJson(attempt: AuditAttempt): string {
  // Array items are compacted but kept even when empty; provider, model and outcome are always set.
  return `{"provider":${quote(attempt.provider)},"model":${quote(attempt.model)}${count(',"status":', attempt.status)}${text(',"reason":', attempt.reason)},"outcome":${quote(attempt.outcome)},"duration_ms":${numeral(attempt.durationMs)}}`;
}

function captureJson(key: string, captured: CapturedText | undefined): string {
  if (captured === undefined) return '';
  return `,"${key}":{"capture":${quote(captured.capture)}${text(',"sha256":', captured.sha256)}${count(',"chars":', captured.chars)}${flag(',"truncated":', captured.truncated)}}`;
}

/** gen_ai.response: the model and the finish reason, either of which may be missing (then no comma to lead with). */
function genAiResponse(model: string | undefined, finishReason: string | undefined): string {
  const reasons = finishReason === undefined ? undefined : `"finish_reasons":[${quote(finishReason)}]`;
  if (model === undefined) return reasons === undefined ? '' : `,"response":{${reasons}}`;
  return reasons === undefined ? `,"response":{"model":${quote(model)}}` : `,"response":{"model":${quote(model)},${reasons}}`;
}

function attemptsJson(attempts: readonly AuditAttempt[]): { json: string; calls: number } {
  let calls = 0;
  let json = '';
  for (const attempt of attempts) {
    if (attempt.outcome !== 'skipped') calls += 1;
    json += json === '' ? attemptJson(attempt) : `,${attemptJson(attempt)}`;
  }
  return { json, calls };
}

/**
 * The record's JSON line (no newline). Throws where buildAuditRecord throws (an invalid timestamp).
 * Written as a few long templates: a line built member by member was a chain of some 200 short
 * strings, and flattening it cost as much again as building it (issue 8 profile).
 */
export function auditRecordLine(input: AuditInput, settings: CaptureSettings): string {
  const { prompt, completion } = captureTexts(input, settings);
  const started = `"${isoTime(input.timestamp)}"`;
  const ended = `"${isoTime(input.timestamp + input.durationMs)}"`;
  const usage = input.usage;
  const address = input.clientAddress;
  const attempts = attemptsJson(input.attempts);

  const client = address === undefined ? '' : `,"client":{"address":${quote(address)}${isIp(address) ? `,"ip":${quote(address)}` : ''}}`;
  const user = (input.credentialId === undefined ? '' : `,"user":{"id":${quote(input.credentialId)}}`)
    + (input.userAgent === undefined ? '' : `,"user_agent":{"original":${quote(input.userAgent)}}`);
  const error = input.errorCode === undefined ? '' : `,"error":{"code":${quote(input.errorCode)}${text(',"message":', auditErrorMessage(input, settings))}}`;
  const genAiUsage = usage === undefined ? '' : `,"usage":{"input_tokens":${numeral(usage.promptTokens)},"output_tokens":${numeral(usage.completionTokens)}}`;
  const aigwUsage = usage === undefined ? '' : `,"usage":{"total_tokens":${numeral(usage.totalTokens)}${count(',"cached_input_tokens":', usage.cachedPromptTokens)}}`;
  const dropped = input.droppedParams !== undefined && input.droppedParams.length > 0 ? `,"dropped_params":${JSON.stringify(input.droppedParams)}` : '';

  const head = `{"@timestamp":${started},"ecs":${ECS_JSON},"event":{${before('id', input.eventId)}"kind":"event","category":["web"],"type":["access"],"dataset":"aigw.audit","action":"chat-completion","outcome":"${auditOutcome(input)}","start":${started},"end":${ended},"duration":${numeral(Math.round(input.durationMs * 1_000_000))}}`
    + `,"http":{"request":{"id":${quote(input.requestId)},"method":${quote(input.method)}},"response":{"status_code":${numeral(input.status)}}},"url":{"path":${quote(input.path)}}${client}`
    + `${user},"transaction":{"id":${quote(input.requestId)}}${error}`;
  const genAi = `,"gen_ai":{${before('system', genAiSystemOf(input.providerType))}"operation":{"name":"chat"}${input.requestedModel === undefined ? '' : `,"request":{"model":${quote(input.requestedModel)}}`}${genAiResponse(input.model, input.finishReason)}${genAiUsage}${text(',"prompt":', prompt?.text)}${text(',"completion":', completion?.text)}}`;
  const aigw = `,"aigw":{${before('route', input.route)}${before('provider', input.provider)}${before('model', input.model)}"attempts":[${attempts.json}],"attempt_count":${attempts.calls},"failover":${input.failover === true ? 'true' : 'false'},"stream":${input.stream ? 'true' : 'false'}`
    + `${count(',"ttfb_ms":', input.ttfbMs)},"duration_ms":${numeral(input.durationMs)}${aigwUsage}${text(',"finish_reason_raw":', input.rawFinishReason)}${dropped}${flag(',"client_aborted":', input.clientAborted)}${text(',"manifest_version":', input.manifestVersion)}`
    + `${captureJson('prompt', prompt)}${captureJson('completion', completion)}}}`;
  return head + genAi + aigw;
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
