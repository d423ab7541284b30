/**
 * Socket-level errors → TransportError, classified by `code` (never by message text, style §E): the
 * engine turns `connect`, `reset`, `dns` and `tls` into connect_error failovers and decides whether a
 * retry on the same target is safe from `beforeResponse`.
 * @see https://nodejs.org/api/errors.html#common-system-errors
 * @see https://undici.nodejs.org/#/docs/api/Errors
 */
import { TransportError, type TransportFailure } from './transport.js';
import { ownValue } from '../own-value.js';

/** @see https://nodejs.org/api/errors.html#common-system-errors and undici's `lib/core/errors.js` */
const FAILURE_BY_CODE: Readonly<Record<string, TransportFailure>> = {
  ECONNREFUSED: 'connect',
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  EHOSTDOWN: 'connect',
  ETIMEDOUT: 'connect',
  EADDRNOTAVAIL: 'connect',
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  EPROTO: 'tls',
  CERT_HAS_EXPIRED: 'tls',
  CERT_NOT_YET_VALID: 'tls',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls',
};

function failureOf(code: string): TransportFailure | undefined {
  const known = ownValue(FAILURE_BY_CODE, code);
  if (known !== undefined) return known;
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_')) return 'tls';
  return undefined;
}

/** The first error code found on the error, its causes, or (happy eyeballs) its aggregated errors. */
function findCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof record.code === 'string' ? record.code : undefined;
  // A wrapper's generic code (UND_ERR_SOCKET) yields to a precise system code underneath.
  const inner = findCode(record.cause, depth + 1)
    ?? (Array.isArray(record.errors) ? record.errors.map((item) => findCode(item, depth + 1)).find((code) => code !== undefined) : undefined);
  if (own !== undefined && failureOf(own) !== undefined && (inner === undefined || failureOf(inner) === undefined)) return own;
  return inner ?? own;
}

/**
 * `beforeResponse`: whether the failure happened before the response head. A body break is always
 * failure 'body' (some bytes may have reached the caller).
 */
export function classifyNetworkError(error: unknown, beforeResponse: boolean): TransportError {
  if (error instanceof TransportError) return error;
  const code = findCode(error) ?? 'UNKNOWN';
  const failure: TransportFailure = beforeResponse ? failureOf(code) ?? 'other' : 'body';
  const reason = error instanceof Error ? error.message : String(error);
  const stage = beforeResponse ? 'before the response' : 'while reading the response body';
  return new TransportError(`upstream ${failure} failure ${stage} (${code}): ${reason}`, {
    failure, code, beforeResponse, cause: error,
  });
}
