/**
 * Building blocks for translated errors (style §I): an OpenAI envelope with the provider's own reason
 * kept in `code`, a failover class, and a retry delay. Messages are length-capped, since a provider's
 * message may quote parts of the request; the gateway never adds request or response bodies to them.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { FailoverClass, TranslatedError } from './contract.js';

/** Longest provider message passed on to the client. */
const MAX_MESSAGE_LENGTH = 500;

/** OpenAI's error `type` for an HTTP status, as its API returns them. */
export function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export interface UpstreamErrorOptions {
  readonly status: number;
  readonly message: string;
  /** The provider's own reason (`RESOURCE_EXHAUSTED`, `ThrottlingException`), or OpenAI's code for the class. */
  readonly code: string | null;
  readonly failoverClass: FailoverClass;
  readonly retryAfterMs?: number | undefined;
  readonly param?: string | null;
}

export function upstreamError(options: UpstreamErrorOptions): TranslatedError {
  const message = options.message.length > MAX_MESSAGE_LENGTH ? `${options.message.slice(0, MAX_MESSAGE_LENGTH)}…` : options.message;
  const error: TranslatedError = {
    status: options.status,
    failoverClass: options.failoverClass,
    envelope: { error: { message, type: options.failoverClass === 'retryable_5xx' ? 'server_error' : openAIErrorType(options.status), param: options.param ?? null, code: options.code } },
  };
  return options.retryAfterMs === undefined ? error : { ...error, retryAfterMs: options.retryAfterMs };
}

/** A 400 for a request the adapter cannot translate (bad tool arguments, unknown tool_call_id, …). */
export function invalidRequest(param: string, message: string): TranslatedError {
  return {
    status: 400,
    failoverClass: 'client_error',
    envelope: { error: { message, type: 'invalid_request_error', param, code: 'invalid_request' } },
  };
}

/** An upstream answer the adapter cannot read: the provider's fault, so another target may do better. */
export function malformedUpstream(provider: string, detail: string): TranslatedError {
  return upstreamError({
    status: 502,
    message: `Malformed response from provider '${provider}': ${detail}.`,
    code: 'upstream_malformed',
    failoverClass: 'retryable_5xx',
  });
}

/**
 * `retry-after-ms` (milliseconds) or `retry-after` in delta-seconds. The HTTP-date form needs a clock,
 * which adapters do not have, so it is left to the caller (undefined here).
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfterFromHeaders(headers: Readonly<Record<string, string>>): number | undefined {
  const milliseconds = parseNonNegative(headers['retry-after-ms']);
  if (milliseconds !== undefined) return milliseconds;
  const seconds = parseNonNegative(headers['retry-after']);
  return seconds === undefined ? undefined : seconds * 1000;
}

function parseNonNegative(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * The provider rejected the gateway's own credentials (design §3.5, style §I.1): the operator's fault,
 * never phrased as the client's key being wrong and never a 401 the client's SDK would read that way.
 * The engine fails over; this 502 is what the app sees if nothing else answers.
 */
export function upstreamAuthFailure(provider: string, status: number, code: string | null): TranslatedError {
  return {
    status: 502,
    failoverClass: 'auth_error',
    envelope: {
      error: {
        message: `Provider '${provider}' rejected the gateway's credentials for it (HTTP ${status}${code === null ? '' : `, ${code}`}). ` +
          'This is a gateway configuration problem for the operator, not a problem with your API key.',
        type: 'server_error',
        param: null,
        code: 'upstream_auth_failed',
      },
    },
  };
}
