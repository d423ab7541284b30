/**
 * Each provider's own error answer (status, headers, body) for the mock's request checks and injected
 * faults. A recorded error fixture is preferred (its body keeps the provider's exact extra fields, with
 * the message replaced); otherwise the body is built from the provider's documented shape below.
 * @see /work/shared/providers.md §1.5, §2.4, §3.5, §4.5, §5.5, §6.5, §7.4, §8.1
 */
import type { ProviderType } from '../adapters/contract.js';
import type { FixtureIndex } from './fixture-index.js';
import { fixtureWire } from './fixture-wire.js';
import { providerFamily, type ProviderFamily } from './provider-endpoints.js';

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ErrorOptions {
  /** Seconds, as the provider signals it (header, or Gemini's RetryInfo detail). */
  readonly retryAfterSeconds?: number;
  /** Bedrock exception name when the status alone is ambiguous (403: InvalidSignatureException, …). */
  readonly awsException?: string;
  /** Use the provider's recorded error fixture for this status when there is one (default true). */
  readonly recorded?: boolean;
}

/** @see https://docs.claude.com/en/api/errors */
const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error',
  504: 'timeout_error', 529: 'overloaded_error',
};

/** @see https://ai.google.dev/gemini-api/docs/troubleshooting */
const GOOGLE_STATUSES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

/** @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors */
const AWS_EXCEPTIONS: Readonly<Record<number, string>> = {
  400: 'ValidationException', 401: 'UnrecognizedClientException', 403: 'AccessDeniedException',
  404: 'ResourceNotFoundException', 408: 'ModelTimeoutException', 424: 'ModelErrorException',
  429: 'ThrottlingException', 500: 'InternalServerException', 503: 'ServiceUnavailableException',
};

/** @see https://platform.openai.com/docs/guides/error-codes */
function openaiTypeAndCode(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'permission_error', code: null };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status === 503) return { type: 'service_unavailable_error', code: 'server_is_overloaded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

function builtBody(family: ProviderFamily, status: number, message: string, options: ErrorOptions, requestId: string): unknown {
  switch (family) {
    case 'openai':
      return { error: { message, ...openaiTypeAndCode(status), param: null } };
    case 'azure':
      // Azure's own layer (auth, throttling, outages) answers {code,message}; body errors are OpenAI's.
      return status === 400 ? { error: { message, type: 'invalid_request_error', param: null, code: null } } : { error: { code: String(status), message } };
    case 'mistral':
      return { object: 'error', message, type: status === 429 ? 'rate_limited' : status >= 500 ? 'internal_server_error' : 'invalid_request_error', param: null, code: String(status === 429 ? 1300 : status) };
    case 'anthropic':
      return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message }, request_id: requestId };
    case 'google': {
      const details = status === 429 && options.retryAfterSeconds !== undefined
        ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${options.retryAfterSeconds}s` }]
        : undefined;
      return { error: { code: status, message, status: GOOGLE_STATUSES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), ...(details === undefined ? {} : { details }) } };
    }
    case 'bedrock':
    case 'cohere':
      return { message };
    case 'ollama':
      return { error: message };
    default: {
      const unknown: never = family;
      throw new Error(`unknown family ${String(unknown)}`);
    }
  }
}

function awsException(status: number, options: ErrorOptions): string {
  return options.awsException ?? AWS_EXCEPTIONS[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
}

function builtHeaders(family: ProviderFamily, status: number, options: ErrorOptions, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (family === 'anthropic') headers['request-id'] = requestId;
  if (family === 'openai' || family === 'azure' || family === 'mistral') headers['x-request-id'] = requestId;
  if (family === 'bedrock') {
    headers['x-amzn-requestid'] = requestId;
    headers['x-amzn-errortype'] = `${awsException(status, options)}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
  }
  return headers;
}

/** Sets the provider's own retry hint: a header for most, RetryInfo for Google, none for Bedrock. */
function withRetryAfter(family: ProviderFamily, answer: ErrorAnswer, seconds: number | undefined): ErrorAnswer {
  if (seconds === undefined || family === 'bedrock') return answer;
  if (family === 'google') {
    const parsed = safeJson(answer.body);
    const error = isRecord(parsed) && isRecord(parsed['error']) ? parsed['error'] : undefined;
    if (error === undefined) return answer;
    const others = Array.isArray(error['details']) ? error['details'].filter((detail) => !(isRecord(detail) && String(detail['@type']).endsWith('RetryInfo'))) : [];
    error['details'] = [...others, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` }];
    return { ...answer, body: JSON.stringify(parsed) };
  }
  const headers: Record<string, string> = { ...answer.headers, 'retry-after': String(seconds) };
  if (family === 'azure' || 'retry-after-ms' in answer.headers) headers['retry-after-ms'] = String(Math.round(seconds * 1000));
  return { ...answer, headers };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A recorded error body with its message replaced (`error.message`, `message`, or Ollama's `error` string). */
function withMessage(body: string, message: string): string {
  const parsed = safeJson(body);
  const target = Array.isArray(parsed) ? parsed[0] : parsed; // Vertex sometimes wraps errors in an array
  if (!isRecord(target)) return body;
  if (typeof target['error'] === 'string') target['error'] = message;
  else if (isRecord(target['error']) && typeof target['error']['message'] === 'string') target['error']['message'] = message;
  else if (typeof target['message'] === 'string') target['message'] = message;
  else return body;
  return JSON.stringify(parsed);
}

/**
 * Builds provider errors, numbering request ids per mock instance (deterministic, no randomness).
 * `message` undefined keeps a recorded fixture's own message.
 */
export function createErrorBuilder(index: FixtureIndex): (provider: ProviderType, status: number, message: string | undefined, options?: ErrorOptions) => ErrorAnswer {
  let sequence = 0;
  return (provider, status, message, options = {}) => {
    sequence += 1;
    const requestId = `req_mock${String(sequence).padStart(6, '0')}`;
    const family = providerFamily(provider);
    const fixture = options.recorded === false ? undefined : index.error(provider, status);
    if (fixture !== undefined) {
      const wire = fixtureWire(fixture, fixture.recorded_model ?? '');
      const text = new TextDecoder().decode(wire.body);
      const recorded: ErrorAnswer = { status: wire.status, headers: wire.headers, body: message === undefined ? text : withMessage(text, message) };
      return withRetryAfter(family, recorded, options.retryAfterSeconds);
    }
    const built: ErrorAnswer = {
      status,
      headers: builtHeaders(family, status, options, requestId),
      body: JSON.stringify(builtBody(family, status, message ?? defaultMessage(status), options, requestId)),
    };
    return withRetryAfter(family, built, options.retryAfterSeconds);
  };
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Rate limit reached (aigw mock fault).';
  if (status === 529) return 'Overloaded';
  if (status >= 500) return `The server had an error while processing your request (aigw mock fault ${status}).`;
  return `Request rejected (aigw mock fault ${status}).`;
}
