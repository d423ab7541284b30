/**
 * One error policy for every adapter (runtime/adapters/error-common.ts): each provider's own body
 * shape goes in, and the same rules come out — retry hints in both Retry-After forms, context-length
 * wording of any provider, the gateway-authored auth message, scrubbed provider text and OpenAI's
 * error types. Iterates PROVIDER_TYPES, so a new adapter that builds its errors another way fails here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROVIDER_TYPES, type ProviderType } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';

/** A provider error body in the provider's own shape, plus any header that shape needs. */
function nativeError(type: ProviderType, status: 400 | 401 | 500, message: string): { body: string; headers: Record<string, string> } {
  switch (type) {
    case 'anthropic':
      return { body: JSON.stringify({ type: 'error', error: { type: { 400: 'invalid_request_error', 401: 'authentication_error', 500: 'api_error' }[status], message } }), headers: {} };
    case 'gemini':
    case 'vertex-ai':
      return { body: JSON.stringify({ error: { code: status, message, status: { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 500: 'INTERNAL' }[status] } }), headers: {} };
    case 'bedrock': {
      const exception = { 400: 'ValidationException', 401: 'UnrecognizedClientException', 500: 'InternalServerException' }[status];
      return { body: JSON.stringify({ message }), headers: { 'x-amzn-errortype': `${exception}:http://internal.amazon.com/coral/com.amazon.bedrock/` } };
    }
    case 'cohere':
      return { body: JSON.stringify({ message }), headers: {} };
    case 'ollama':
      return { body: JSON.stringify({ error: message }), headers: {} };
    default:
      return { body: JSON.stringify({ error: { message, type: { 400: 'invalid_request_error', 401: 'invalid_request_error', 500: 'server_error' }[status], param: null, code: null } }), headers: {} };
  }
}

const CONTEXT_WORDINGS = [
  "This model's maximum context length is 8192 tokens.",
  'prompt is too long: 210000 tokens > 200000 maximum',
  'The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).',
  'Input is too long for requested model.',
  'too many tokens: size limit exceeded by 1204 tokens.',
  'the input length exceeds the context length',
];

describe('every adapter applies the shared error policy', () => {
  for (const type of PROVIDER_TYPES) {
    const adapter = getAdapter(type);

    test(`${type}: Retry-After as an HTTP-date is resolved against the response's Date header`, () => {
      const error = adapter.parseError(429, { Date: 'Thu, 01 Jan 2026 00:00:00 GMT', 'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT' }, '');
      assert.equal(error.failoverClass, 'rate_limited');
      assert.equal(error.retryAfterMs, 7000);
    });

    test(`${type}: retry-after-ms wins over retry-after seconds, and an unnamed 429 has OpenAI's type`, () => {
      const error = adapter.parseError(429, { 'retry-after-ms': '1500', 'retry-after': '9' }, '');
      assert.equal(error.retryAfterMs, 1500);
      assert.equal(error.envelope.error.type, 'requests');
      assert.equal(error.envelope.error.code !== null, true, 'a rate limit always has a code');
    });

    test(`${type}: a retry hint never rides on a client error`, () => {
      const { body, headers } = nativeError(type, 400, 'bad field');
      const error = adapter.parseError(400, { ...headers, 'retry-after': '5' }, body);
      assert.equal(error.failoverClass, 'client_error');
      assert.equal(error.retryAfterMs, undefined);
    });

    for (const wording of CONTEXT_WORDINGS) {
      test(`${type}: "${wording.slice(0, 30)}…" is context_length with OpenAI's code`, () => {
        const { body, headers } = nativeError(type, 400, wording);
        const error = adapter.parseError(400, headers, body);
        assert.equal(error.failoverClass, 'context_length');
        assert.equal(error.status, 400);
        assert.equal(error.envelope.error.code, 'context_length_exceeded');
      });
    }

    test(`${type}: a rejected provider key is the gateway's problem (502), in the gateway's words`, () => {
      const { body, headers } = nativeError(type, 401, 'Incorrect API key provided: sk-proj-LEAKED1234567890.');
      const error = adapter.parseError(401, headers, body);
      assert.equal(error.failoverClass, 'auth_error');
      assert.equal(error.status, 502);
      assert.equal(error.envelope.error.code, 'upstream_auth_failed');
      assert.match(error.envelope.error.message, /not a problem with your API key/);
      assert.doesNotMatch(error.envelope.error.message, /LEAKED|Incorrect API key/);
    });

    test(`${type}: key-shaped text in a provider's 5xx message is scrubbed, the reason kept`, () => {
      const { body, headers } = nativeError(type, 500, 'backend failed for https://up.test/?key=AIzaSyLEAKED-1234567890abcdefgh');
      const error = adapter.parseError(500, headers, body);
      assert.equal(error.failoverClass, 'retryable_5xx');
      assert.match(error.envelope.error.message, /^backend failed for https:\/\/up\.test\/\?key=\[redacted\]$/);
    });
  }
});

test('the OpenAI type follows the class a provider error names, whatever its status (Bedrock exceptions)', () => {
  const bedrock = getAdapter('bedrock');
  const parse = (status: number, exception: string) => bedrock.parseError(status, { 'x-amzn-errortype': exception }, JSON.stringify({ message: 'm' }));
  const quota = parse(400, 'ServiceQuotaExceededException');
  assert.deepEqual([quota.failoverClass, quota.envelope.error.type, quota.envelope.error.code], ['rate_limited', 'requests', 'ServiceQuotaExceededException']);
  const loading = parse(429, 'ModelNotReadyException');
  assert.deepEqual([loading.failoverClass, loading.envelope.error.type], ['retryable_5xx', 'server_error']);
  const validation = parse(400, 'ValidationException');
  assert.deepEqual([validation.failoverClass, validation.envelope.error.type], ['client_error', 'invalid_request_error']);
});
