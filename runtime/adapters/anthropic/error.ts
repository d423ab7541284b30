/**
 * Anthropic errors → OpenAI envelope + failover class (providers.md §3.5, design §3.5).
 * Body: `{"type":"error","error":{"type","message"},"request_id"}`; the same `error` object arrives
 * in-band as `event: error` once a stream has started (HTTP status already 200), so the error type
 * alone must carry the class there.
 *
 * | status | error.type | class |
 * |---|---|---|
 * | 400 | invalid_request_error ("prompt is too long…") | context_length |
 * | 400 | invalid_request_error (anything else, incl. a rejected assistant prefill) | client_error |
 * | 401 / 403 | authentication_error / permission_error (the gateway's key: 502 for the app) | auth_error |
 * | 402 | billing_error (the operator's account: 502 for the app) | auth_error |
 * | 404 / 413 | not_found_error / request_too_large | client_error |
 * | 429 | rate_limit_error (+ retry-after) | rate_limited |
 * | 500 / 504 | api_error / timeout_error | retryable_5xx |
 * | 529 | overloaded_error → status 503 for OpenAI clients, which do not know 529 | retryable_5xx |
 *
 * A prefill rejection is an ordinary 400 client_error: the engine tells it apart because it sent the
 * prefill (BuildOptions.prefill) on that attempt, and must then report the original stream failure.
 * @see https://docs.claude.com/en/api/errors
 */
import type { TranslatedError } from '../contract.js';
import { translateProviderError } from '../error-common.js';
import { isRecord, parseJson } from '../json-value.js';
import type { ErrorObject } from './wire.js';

const PROVIDER = 'anthropic';
const OVERLOADED_STATUS = 529;
/** OpenAI clients do not know 529; 503 says the same to them (and their SDKs retry it). */
const OVERLOADED_CLIENT_STATUS = 503;

/** The HTTP status each error type comes with, for in-band errors that have no status of their own. */
const STATUS_BY_TYPE: ReadonlyMap<string, number> = new Map([
  ['invalid_request_error', 400],
  ['authentication_error', 401],
  ['billing_error', 402],
  ['permission_error', 403],
  ['not_found_error', 404],
  ['request_too_large', 413],
  ['rate_limit_error', 429],
  ['api_error', 500],
  ['timeout_error', 504],
  ['overloaded_error', OVERLOADED_STATUS],
]);

export function parseAnthropicError(status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  const parsed = parseJson(body);
  const error = isRecord(parsed) && isRecord(parsed['error']) ? readErrorObject(parsed['error']) : {};
  return translate(status, headers, error);
}

/** An in-band `event: error` payload (`{"type":"error","error":{…}}`). */
export function translateStreamError(payload: unknown): TranslatedError {
  const error = isRecord(payload) && isRecord(payload['error']) ? readErrorObject(payload['error']) : {};
  const status = (error.type === undefined ? undefined : STATUS_BY_TYPE.get(error.type)) ?? 500;
  return translate(status, {}, error);
}

function readErrorObject(error: Readonly<Record<string, unknown>>): ErrorObject {
  const type = error['type'];
  const message = error['message'];
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

function translate(status: number, headers: Readonly<Record<string, string>>, error: ErrorObject): TranslatedError {
  const overloaded = status === OVERLOADED_STATUS || error.type === 'overloaded_error';
  return translateProviderError(PROVIDER, overloaded ? OVERLOADED_CLIENT_STATUS : status, headers, {
    message: error.message,
    type: error.type,
  });
}
