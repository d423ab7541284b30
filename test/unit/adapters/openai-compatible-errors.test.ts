/**
 * Error mapping for the OpenAI family: status + headers + body → status, failover class, retry hint
 * and a scrubbed OpenAI envelope (design §3.4–3.5, style §I.2). Table-driven over the shared policy in
 * runtime/adapters/error-common.ts, exercised through the adapters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FailoverClass, ProviderType } from '../../../runtime/adapters/contract.js';
import {
  isContextLength, retryAfterMs, scrubMessage, translateProviderError,
} from '../../../runtime/adapters/error-common.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';

interface Case {
  readonly name: string;
  readonly provider?: ProviderType;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
  readonly failoverClass: FailoverClass;
  readonly appStatus: number;
  readonly retryAfterMs?: number;
  readonly code?: string | null;
  readonly type?: string;
  readonly param?: string | null;
  readonly message?: RegExp;
}

const openaiError = (message: string, type: string | null, code: string | null, param: string | null = null) => ({ error: { message, type, param, code } });

const CASES: readonly Case[] = [
  { name: '429 with retry-after seconds', status: 429, headers: { 'retry-after': '2' }, body: openaiError('Rate limit reached', 'tokens', 'rate_limit_exceeded'), failoverClass: 'rate_limited', appStatus: 429, retryAfterMs: 2000, code: 'rate_limit_exceeded', type: 'tokens' },
  { name: '429 with retry-after-ms (preferred over retry-after)', status: 429, headers: { 'retry-after': '37', 'retry-after-ms': '36512.5' }, body: openaiError('Rate limit', 'requests', null), failoverClass: 'rate_limited', appStatus: 429, retryAfterMs: 36513, code: 'rate_limit_exceeded' },
  { name: '429 with an HTTP-date retry-after, resolved against the response date', status: 429, headers: { date: 'Thu, 01 Jan 2026 00:00:00 GMT', 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, body: openaiError('Slow down', null, null), failoverClass: 'rate_limited', appStatus: 429, retryAfterMs: 7000, type: 'requests' },
  { name: '429 with an HTTP-date but no date header: no hint (adapters have no clock)', status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, body: openaiError('Slow down', null, null), failoverClass: 'rate_limited', appStatus: 429 },
  { name: '429 Azure string code and no type', provider: 'azure-openai', status: 429, headers: { 'Retry-After': '4' }, body: { error: { code: '429', message: 'Please retry after 4 seconds.' } }, failoverClass: 'rate_limited', appStatus: 429, retryAfterMs: 4000, code: '429', type: 'requests' },
  { name: '429 insufficient_quota is the operator\'s account: never retried, fail over', status: 429, headers: { 'retry-after': '20' }, body: openaiError('You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'), failoverClass: 'auth_error', appStatus: 502, code: 'upstream_auth_failed', message: /quota or credit is exhausted/ },
  { name: '402 payment required (credits)', provider: 'openrouter', status: 402, body: { error: { message: 'Insufficient credits', code: 402 } }, failoverClass: 'auth_error', appStatus: 502, code: 'upstream_auth_failed' },
  { name: '407 from a forward proxy on the way (the operator\'s setup)', provider: 'openai', status: 407, body: 'Proxy Authentication Required', failoverClass: 'auth_error', appStatus: 502, code: 'upstream_auth_failed' },
  { name: '500 server error', status: 500, body: openaiError('The server had an error', 'server_error', null), failoverClass: 'retryable_5xx', appStatus: 500, type: 'server_error', code: null },
  { name: '502 bad gateway with an HTML body: no HTML echoed', status: 502, body: '<html><body>502 Bad Gateway <script>x</script></body></html>', failoverClass: 'retryable_5xx', appStatus: 502, message: /^The provider answered HTTP 502\.$/ },
  { name: '503 with retry-after', status: 503, headers: { 'retry-after': '1' }, body: openaiError('Overloaded', 'service_unavailable_error', 'server_is_overloaded'), failoverClass: 'retryable_5xx', appStatus: 503, retryAfterMs: 1000 },
  { name: '504 gateway timeout', status: 504, body: '', failoverClass: 'retryable_5xx', appStatus: 504 },
  { name: '408 request timeout', status: 408, body: openaiError('Request timed out', null, null), failoverClass: 'retryable_5xx', appStatus: 408 },
  { name: '401 invalid key: the gateway\'s key, never phrased as the client\'s, never echoing the key', status: 401, body: openaiError('Incorrect API key provided: sk-proj-****abcd.', 'invalid_request_error', 'invalid_api_key'), failoverClass: 'auth_error', appStatus: 502, code: 'upstream_auth_failed', type: 'server_error', message: /gateway configuration problem for the operator, not a problem with your API key/ },
  { name: '403 permission denied', status: 403, body: openaiError('Project does not have access to model', 'invalid_request_error', 'model_not_found'), failoverClass: 'auth_error', appStatus: 502 },
  { name: '400 "Incorrect API key" (xAI answers a bad key with 400)', provider: 'xai', status: 400, body: { code: 'Client specified an invalid argument', error: 'Incorrect API key provided: xa***kg.' }, failoverClass: 'auth_error', appStatus: 502 },
  { name: '400 context_length_exceeded code', status: 400, body: openaiError("This model's maximum context length is 8192 tokens.", 'invalid_request_error', 'context_length_exceeded', 'messages'), failoverClass: 'context_length', appStatus: 400, code: 'context_length_exceeded', param: 'messages' },
  { name: '400 context length by message only (vLLM)', provider: 'vllm', status: 400, body: { object: 'error', message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.", type: 'BadRequestError', param: null, code: 400 }, failoverClass: 'context_length', appStatus: 400, code: 'context_length_exceeded' },
  { name: '400 context length worded by Mistral', provider: 'mistral', status: 400, body: { object: 'error', message: 'Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length', type: 'invalid_request_message_error', param: null, code: '3051' }, failoverClass: 'context_length', appStatus: 400 },
  { name: '400 Azure content filter: returned to the client, innererror dropped', provider: 'azure-openai', status: 400, body: { error: { message: 'The response was filtered', type: null, param: 'prompt', code: 'content_filter', status: 400, innererror: { code: 'ResponsibleAIPolicyViolation' } } }, failoverClass: 'content_filter', appStatus: 400, code: 'content_filter', param: 'prompt', type: 'invalid_request_error' },
  { name: '403 OpenRouter moderation: a content filter, not an auth failure', provider: 'openrouter', status: 403, body: { error: { message: 'Your chosen model requires moderation and your input was flagged', code: 403, metadata: { reasons: ['violence'], flagged_input: 'SECRET PROMPT TEXT' } } }, failoverClass: 'content_filter', appStatus: 403 },
  { name: '400 plain invalid request: type, param and code kept', status: 400, body: openaiError("Invalid value for 'tool_choice'.", 'invalid_request_error', 'invalid_value', 'tool_choice'), failoverClass: 'client_error', appStatus: 400, code: 'invalid_value', param: 'tool_choice', type: 'invalid_request_error' },
  { name: '404 unknown model: the target\'s, not the request\'s (502, reason kept)', status: 404, body: openaiError('The model `gpt-9` does not exist', 'invalid_request_error', 'model_not_found'), failoverClass: 'target_unavailable', appStatus: 502, code: 'upstream_target_unavailable', type: 'server_error', message: /^Provider 'openai' could not serve the request: it does not serve the model the gateway asked for \(HTTP 404, model_not_found: The model `gpt-9` does not exist\)\. This is a gateway configuration problem for the operator, not a problem with your request\.$/ },
  { name: '400 model_not_found code (Groq-style)', provider: 'groq', status: 400, body: openaiError('The model `llama-9` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'), failoverClass: 'target_unavailable', appStatus: 502, code: 'upstream_target_unavailable' },
  { name: '400 that merely mentions a model is still the client\'s', status: 400, body: openaiError("Invalid value for 'temperature': this model supports values up to 2.", 'invalid_request_error', 'invalid_value', 'temperature'), failoverClass: 'client_error', appStatus: 400, code: 'invalid_value' },
  { name: '422 validation detail (FastAPI): location and reason only, no echoed input', provider: 'mistral', status: 422, body: { detail: [{ type: 'extra_forbidden', loc: ['body', 'foo'], msg: 'Extra inputs are not permitted', input: 'SECRET PROMPT TEXT' }] }, failoverClass: 'client_error', appStatus: 422, message: /^body\.foo: Extra inputs are not permitted$/ },
  { name: '{"error": "string"} bodies', provider: 'vllm', status: 401, body: { error: 'Unauthorized' }, failoverClass: 'auth_error', appStatus: 502 },
];

describe('error mapping table', () => {
  for (const entry of CASES) {
    test(entry.name, () => {
      const adapter = getAdapter(entry.provider ?? 'openai');
      const body = typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
      const error = adapter.parseError(entry.status, entry.headers ?? {}, body);
      assert.equal(error.failoverClass, entry.failoverClass);
      assert.equal(error.status, entry.appStatus);
      assert.equal(error.retryAfterMs, entry.retryAfterMs);
      assert.deepEqual(Object.keys(error.envelope.error), ['message', 'type', 'param', 'code']);
      if (entry.code !== undefined) assert.equal(error.envelope.error.code, entry.code);
      if (entry.type !== undefined) assert.equal(error.envelope.error.type, entry.type);
      if (entry.param !== undefined) assert.equal(error.envelope.error.param, entry.param);
      if (entry.message !== undefined) assert.match(error.envelope.error.message, entry.message);
      assert.doesNotMatch(error.envelope.error.message, /SECRET PROMPT TEXT|sk-proj|<script>|xa\*\*\*kg/);
      if (entry.failoverClass === 'auth_error') assert.doesNotMatch(error.envelope.error.message, /incorrect api key|invalid api key/i);
    });
  }
});

describe('retry hints', () => {
  test('retry-after-ms, then retry-after seconds (fractions rounded up), then HTTP-date against date', () => {
    assert.equal(retryAfterMs({ 'retry-after-ms': '250' }), 250);
    assert.equal(retryAfterMs({ 'retry-after': '0.5' }), 500);
    assert.equal(retryAfterMs({ 'retry-after': '0' }), 0);
    assert.equal(retryAfterMs({ 'Retry-After': '3' }), 3000);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMs({ 'retry-after-ms': '-5', 'retry-after': '1' }), 1000);
    assert.equal(retryAfterMs({ date: 'Thu, 01 Jan 2026 00:00:10 GMT', 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), 0, 'a date in the past means now');
    assert.equal(retryAfterMs({}), undefined);
  });

  test('OpenAI x-ratelimit-reset-* alone gives no hint (time to a full window, not to the next request)', () => {
    assert.equal(retryAfterMs({ 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-reset-tokens': '1s' }), undefined);
  });

  test('a retry hint only rides on retryable classes', () => {
    const headers = { 'retry-after': '5' };
    assert.equal(translateProviderError('openai', 400, headers, { message: 'bad' }).retryAfterMs, undefined);
    assert.equal(translateProviderError('openai', 404, headers, { message: 'no model' }).retryAfterMs, undefined);
    assert.equal(translateProviderError('openai', 503, headers, { message: 'busy' }).retryAfterMs, 5000);
    assert.equal(translateProviderError('openai', 429, headers, { message: 'slow down' }).retryAfterMs, 5000);
  });
});

describe('scrubbing', () => {
  test('key-shaped strings are redacted and the reason text kept', () => {
    const scrubbed = scrubMessage('Bad key sk-proj-AbCdEf1234567890 and Bearer abc.def-ghi, url https://x.test/?key=AIzaSyD-1234567890abcdefghijkl&alt=sse; gsk_1234567890abcdef');
    assert.doesNotMatch(scrubbed, /AbCdEf1234567890|abc\.def-ghi|AIzaSyD|gsk_1234567890abcdef/);
    assert.match(scrubbed, /^Bad key \[redacted\] and Bearer \[redacted\], url https:\/\/x\.test\/\?key=\[redacted\]&alt=sse; \[redacted\]$/);
  });

  test('Google access tokens and AWS access key ids are redacted', () => {
    const scrubbed = scrubMessage('token ya29.a0AfB_byC-12345.xyz and key id AKIAIOSFODNN7EXAMPLE were refused');
    assert.equal(scrubbed, 'token [redacted] and key id [redacted] were refused');
  });

  test('long messages are bounded', () => {
    assert.equal(scrubMessage('word '.repeat(1000)).length, 1000);
  });

  test('ordinary words, model names and short ids survive', () => {
    const text = "The model `meta-llama/Llama-3.3-70B-Instruct-Turbo` is over capacity (request req_01kcb7x3f2).";
    assert.equal(scrubMessage(text), text);
  });
});

describe('context-length detection', () => {
  const yes = [
    "This model's maximum context length is 128000 tokens.",
    'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 8193. Given: 9000 `inputs` tokens and 256 `max_new_tokens`',
    'Please reduce the length of the messages or completion.',
    'prompt is too long: 210000 tokens > 200000 maximum',
  ];
  const no = ['Invalid value for temperature', 'Rate limit reached for tokens per min', 'The content length header is wrong', "Unknown parameter: 'context_window'."];
  for (const message of yes) test(`recognised: ${message.slice(0, 40)}…`, () => assert.ok(isContextLength({ message })));
  for (const message of no) test(`not confused: ${message}`, () => assert.equal(isContextLength({ message }), false));
});
