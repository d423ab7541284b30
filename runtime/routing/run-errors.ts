/**
 * The errors a run ends with (style §I.1): the provider's client-caused 4xx passed through in OpenAI's
 * envelope (also a context-length rejection no candidate took, see planExhausted), 502 when every
 * attempt failed, 504 when `timeout_ms` elapsed, and the in-band
 * `stream_interrupted` event. Messages list `provider/model: status reason` per attempt — never a
 * secret, a prompt or an upstream body.
 */
import type { TranslatedError } from '../adapters/contract.js';
import { AigwError, ERRORS } from '../errors.js';
import type { AttemptRecord, ClientError, FailoverReason } from './types.js';

/** `openai/gpt-4o-mini: 503 retryable_5xx` — or without a status when no response head arrived. */
export function describeAttempt(record: AttemptRecord): string {
  const status = record.status > 0 ? `${record.status} ` : '';
  const skipped = record.outcome === 'skipped' ? ' (skipped)' : '';
  return `${record.provider}/${record.model}: ${status}${record.reason ?? 'success'}${skipped}`;
}

export function describeAttempts(records: readonly AttemptRecord[]): string {
  return records.length === 0 ? 'no candidate' : records.map(describeAttempt).join('; ');
}

function fromAigwError(error: AigwError): ClientError {
  return { status: error.status, code: error.code, envelope: error.toEnvelope(), headers: error.headers };
}

export function allAttemptsFailed(records: readonly AttemptRecord[]): ClientError {
  return fromAigwError(new AigwError(ERRORS.ALL_ATTEMPTS_FAILED, `All attempts failed: ${describeAttempts(records)}.`));
}

/**
 * Reasons that blame the request, not a provider or the operator: a prompt too long for the model, or
 * a parameter the target cannot take (skipped without a call).
 */
const REQUEST_REASONS: ReadonlySet<FailoverReason | null> = new Set<FailoverReason | null>(['context_length', 'client_error']);

/**
 * The answer when the plan ran out with no candidate answering (design §3.5). A context-length
 * rejection fails over because another model may have a larger window; when none took the prompt, the
 * app gets the provider's own rejection (400 `context_length_exceeded`, the provider's reason kept, as
 * when `context_length` is not in `failover_on`) — provided the request is why every candidate failed:
 * each one's last attempt was a context-length rejection or a request it could not build. Any
 * provider or operator fault among them (5xx, 429, latency, connection, broken stream, the provider
 * key, an unknown target, an open circuit, full limits) keeps the 502: a healthy model might have taken
 * the prompt (a small-window fallback during the primary's outage must not tell the app to shorten a
 * prompt the primary accepts). The rule looks at each candidate's outcome, not at the order of the
 * attempts, so the weighted pick never changes which answer the app gets.
 */
export function planExhausted(records: readonly AttemptRecord[], lengthRejection: TranslatedError | undefined): ClientError {
  if (lengthRejection === undefined) return allAttemptsFailed(records);
  // A candidate's last record decides: a retry that ended in a context-length rejection, or an open
  // circuit skipped and then tried as the last resort, is judged by how it ended.
  const last = new Map<string, FailoverReason | null>();
  for (const record of records) last.set(`${record.provider}/${record.model}`, record.reason);
  for (const reason of last.values()) if (!REQUEST_REASONS.has(reason)) return allAttemptsFailed(records);
  return upstreamRejected(lengthRejection);
}

export function gatewayTimeout(timeoutMs: number, records: readonly AttemptRecord[]): ClientError {
  return fromAigwError(new AigwError(ERRORS.TIMEOUT, `No answer within the route's timeout of ${timeoutMs} ms: ${describeAttempts(records)}.`));
}

/** A provider's client-caused rejection, as the provider explained it (translated to OpenAI's envelope). */
export function upstreamRejected(error: TranslatedError): ClientError {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  return { status: error.status, code: ERRORS.UPSTREAM_REJECTED.code, envelope: error.envelope, headers };
}

/** A request no candidate could build (e.g. an unsupported parameter): the adapter's own 400. */
/**
 * No candidate could build the request: the first one's 400, and, when several refused a parameter,
 * the list of them (the first adapter's reason alone reads as if only that provider lacked it).
 */
export function notBuildable(error: TranslatedError, records: readonly AttemptRecord[] = [], rankOf: (record: AttemptRecord) => number = () => 0): ClientError {
  const unsupported = error.envelope.error.code === 'unsupported_parameter';
  const code = unsupported ? ERRORS.UNSUPPORTED_PARAMETER.code : ERRORS.INVALID_REQUEST.code;
  // In manifest order, whichever was picked first: the same request always gets the same answer.
  const refused = records.filter((record) => record.outcome === 'skipped' && record.reason === 'client_error').sort((a, b) => rankOf(a) - rankOf(b));
  if (!unsupported || refused.length < 2) return { status: error.status, code, envelope: error.envelope, headers: {} };
  const message = `${error.envelope.error.message} No target of this route can honour it: ${refused.map((record) => `${record.provider}/${record.model}`).join(', ')}.`;
  return { status: error.status, code, envelope: { error: { ...error.envelope.error, message } }, headers: {} };
}

/**
 * The in-band error that ends a broken stream. The original failure comes first, so a continuation
 * that was itself rejected (a prefill the fallback refused) never masks why the stream broke.
 */
export function streamInterrupted(original: AttemptRecord, continuations: readonly AttemptRecord[], chunksSent: number): ClientError {
  const why = `${describeAttempt(original)}${original.detail === undefined ? '' : ` (${original.detail})`}`;
  const tail = continuations.length === 0 ? '' : `; continuation failed: ${describeAttempts(continuations)}`;
  const error = new AigwError(ERRORS.STREAM_INTERRUPTED, `The stream was interrupted after ${chunksSent} chunks: ${why}${tail}.`);
  return { ...fromAigwError(error), status: 200 };
}
