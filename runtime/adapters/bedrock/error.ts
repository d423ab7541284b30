/**
 * Bedrock errors → OpenAI envelope + failover class. HTTP errors carry `{"message": …}` and the
 * exception name in the `x-amzn-errortype` header (`ThrottlingException:http://internal.amazon.com/…`);
 * the AWS SDK also reads `code` / `__type` from the body, and so does this. Stream exceptions arrive as
 * event-stream frames with `:exception-type` (`throttlingException`, …) and the same `{message}`.
 *
 * | exception                                                          | class          |
 * |--------------------------------------------------------------------|----------------|
 * | ThrottlingException (429), ServiceQuotaExceededException (400)     | rate_limited   |
 * | InternalServerException (500), ServiceUnavailableException (503),  | retryable_5xx  |
 * | ModelNotReadyException (429, the model is loading), ModelTimeoutException (408), |  |
 * | ModelErrorException / ModelStreamErrorException (424)              |                |
 * | AccessDeniedException, UnrecognizedClientException, signature and token errors | auth_error (502) |
 * | ValidationException about an over-long input                       | context_length |
 * | other ValidationException, ResourceNotFoundException, Conflict…    | client_error   |
 * ModelTimeoutException is retried/failed over like a 5xx: the model did not answer in time, which says
 * nothing wrong about the request.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 */
import type { FailoverClass, TranslatedError } from '../contract.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';
import { header, translateProviderError } from '../error-common.js';
import { ownValue } from '../../own-value.js';

const PROVIDER = 'Bedrock';

const RATE_LIMITED = new Set(['ThrottlingException', 'ServiceQuotaExceededException']);
const RETRYABLE = new Set([
  'InternalServerException', 'ServiceUnavailableException', 'ModelNotReadyException', 'ModelTimeoutException',
  'ModelErrorException', 'ModelStreamErrorException', 'InternalFailure', 'ServiceUnavailable',
]);
const AUTH = new Set([
  'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException',
  'MissingAuthenticationTokenException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch',
]);

/**
 * HTTP status of each stream exception, as the HTTP API answers the same exception.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html#API_runtime_ConverseStream_Errors
 */
const STREAM_STATUS: Readonly<Record<string, number>> = {
  ThrottlingException: 429, ServiceQuotaExceededException: 400, InternalServerException: 500,
  ServiceUnavailableException: 503, ModelStreamErrorException: 424, ModelTimeoutException: 408,
  ModelNotReadyException: 429, ValidationException: 400, AccessDeniedException: 403,
};

/** `ThrottlingException:http://…` or `com.amazon.coral#ThrottlingException` → `ThrottlingException`. */
export function exceptionName(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = raw.split(':')[0]?.split('#').at(-1)?.trim() ?? '';
  return name === '' ? undefined : name.charAt(0).toUpperCase() + name.slice(1);
}

export function parseBedrockError(status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  const parsed = parseJson(body);
  const record = isRecord(parsed) ? parsed : {};
  const name = exceptionName(header(headers, 'x-amzn-errortype'))
    ?? exceptionName(stringOr(record['code'])) ?? exceptionName(stringOr(record['__type']));
  const message = stringOr(record['message']) ?? stringOr(record['Message']);
  return translateProviderError(PROVIDER, status, headers, { message, code: name, failoverClass: classNamedBy(name) });
}

/** A stream `:message-type: exception` frame (`:exception-type` in lowerCamel case). */
export function translateStreamException(exceptionType: string, payload: unknown): TranslatedError {
  const name = exceptionName(exceptionType) ?? 'InternalServerException';
  const message = isRecord(payload) ? stringOr(payload['message']) : undefined;
  return translateProviderError(PROVIDER, ownValue(STREAM_STATUS, name) ?? 500, {}, { message, code: name, failoverClass: classNamedBy(name) });
}

/** Classes the exception name decides, whatever the HTTP status (else the shared status policy). */
function classNamedBy(name: string | undefined): FailoverClass | undefined {
  if (name === undefined) return undefined;
  if (RATE_LIMITED.has(name)) return 'rate_limited';
  if (RETRYABLE.has(name)) return 'retryable_5xx';
  if (AUTH.has(name)) return 'auth_error';
  return undefined;
}
