/**
 * Every error status of design §5 / style §I.1 as the official `openai` SDK sees it over real
 * sockets: OpenAI's envelope `{error:{message,type,param,code}}`, the SDK's matching error class,
 * `x-request-id` on every response, `x-aigw-route` once a route matched, and `x-should-retry: false`
 * on 502/504 so SDK retries never multiply the upstream calls the gateway already made.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import OpenAI, { APIError } from 'openai';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { eventually, gatewaySuite, mockProviders, postRaw, type GatewayHandle } from './helpers/gateway-harness.js';

const KEY = 'sk-aigw-errors-full-access';
const NARROW_KEY = 'sk-aigw-errors-narrow';
const LIMITED_KEY = 'sk-aigw-errors-one-per-minute';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const messages = [{ role: 'user' as const, content: 'Hello' }];

interface Envelope { error: { message: string; type: string; param: string | null; code: string | null } }

/** Asserts the SDK threw an APIError with this status and OpenAI code; returns it for more checks. */
async function rejectsWith(promise: Promise<unknown>, status: number, code: string): Promise<APIError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof APIError, `expected an APIError, got ${String(caught)}`);
  assert.equal(caught.status, status, caught.message);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.headers?.get('x-request-id') ?? '', /\S/, 'x-request-id on the error response');
  return caught;
}

function assertEnvelope(body: unknown): asserts body is Envelope {
  const envelope = body as Envelope;
  assert.deepEqual(Object.keys(envelope), ['error']);
  assert.deepEqual(Object.keys(envelope.error).sort(), ['code', 'message', 'param', 'type']);
}

describe('error statuses', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic' })}
credentials:
  - { id: full, key_sha256: "${sha256(KEY)}" }
  - { id: narrow, key_sha256: "${sha256(NARROW_KEY)}", routes: [ chat ] }
  - { id: limited, key_sha256: "${sha256(LIMITED_KEY)}", quota: { requests_per_minute: 1 } }
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
  - name: private
    match: { model: "private-model" }
    targets: [ { provider: openai, model: gpt-private } ]
  - name: claude
    match: { model: "claude" }
    targets: [ { provider: anthropic, model: claude-haiku-4-5 } ]
  - name: all-down
    match: { model: "all-down" }
    targets:
      - { provider: openai, model: gpt-down }
      - { provider: anthropic, model: claude-down, weight: 0 }
    retry: { attempts: 0 }
  - name: slow
    match: { model: "slow" }
    targets: [ { provider: openai, model: gpt-silent } ]
    timeout_ms: 300
  - name: client-error
    match: { model: "client-error" }
    targets:
      - { provider: openai, model: gpt-rejects }
      - { provider: anthropic, model: claude-never, weight: 0 }
`, { apiKey: KEY, settings: { bodyLimit: 4096 } });

  test('400 invalid_json: a body that is not JSON', async () => {
    const response = await postRaw(`${handle.url}/v1/chat/completions`, '{"model": "gpt-4o-mini", "messages": [', { authorization: `Bearer ${KEY}` });
    assert.equal(response.status, 400);
    const body = JSON.parse(response.text) as unknown;
    assertEnvelope(body);
    assert.equal(body.error.code, 'invalid_json');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(response.headers.get('x-request-id') ?? '', /\S/);
  });

  test('400 invalid_request with param: wrong types name the offending path', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: 'gpt-4o-mini', messages: 'hello' }, 'messages'],
      [{ model: 'gpt-4o-mini', messages, temperature: 'hot' }, 'temperature'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
      [{ messages }, 'model'],
    ];
    for (const [body, param] of cases) {
      // The SDK sends what it is given; the casts stand for a client with a bug.
      const error = await rejectsWith(handle.client.chat.completions.create(body as never), 400, 'invalid_request');
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.param, param, JSON.stringify(body));
      assert.equal(error.type, 'invalid_request_error');
    }
    assert.equal(mock.log().filter((entry) => entry.model === null).length, 0, 'nothing reached a provider');
  });

  test('400 unsupported_parameter: a parameter the only target cannot honour is named, not dropped', async () => {
    const error = await rejectsWith(handle.client.chat.completions.create({ model: 'claude', messages, seed: 7 }), 400, 'unsupported_parameter');
    assert.equal(error.param, 'seed');
    assert.equal(error.headers?.get('x-aigw-route'), 'claude');
  });

  test('401 invalid_api_key: a missing key and an unknown key', async () => {
    const missing = await postRaw(`${handle.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages });
    assert.equal(missing.status, 401);
    const body = JSON.parse(missing.text) as unknown;
    assertEnvelope(body);
    assert.equal(body.error.code, 'invalid_api_key');
    const malformed = await postRaw(`${handle.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages }, { authorization: `Basic ${KEY}` });
    assert.equal(malformed.status, 401);
    const error = await rejectsWith(handle.newClient({ apiKey: 'sk-unknown' }).chat.completions.create({ model: 'gpt-4o-mini', messages }), 401, 'invalid_api_key');
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.ok(!error.message.includes('sk-unknown'), 'the key is not echoed');
  });

  test('401 comes before the body is read: a client without a valid key cannot make the gateway wait for (or buffer) its body', async () => {
    // Headers of a 1 MB body, and not one byte of it.
    const answer = await answerBeforeBody('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\nx-request-id: early-401\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.match(answer, /"code":"invalid_api_key"/);
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.http.request.id === 'early-401'), 3_000, 'its audit record');
    assert.equal(record.http.response.status_code, 401);
    assert.equal(record.error?.code, 'AIGW_E_UNAUTHENTICATED');
  });

  /** The first answer on a raw socket that sent `head` and none of the body it announced. */
  async function answerBeforeBody(head: string): Promise<string> {
    const { connect } = await import('node:net');
    const { hostname, port } = new URL(handle.url);
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.write(head);
    try {
      return await eventually(() => (answer.includes('\r\n\r\n') ? answer : undefined), 3_000, `an answer before the body to ${head.split('\r\n')[0] ?? ''}`);
    } finally {
      socket.destroy();
    }
  }

  test('the chat route however its path is written (percent-encoded, absolute form) is authenticated before its body, and audited', async () => {
    const { port } = new URL(handle.url);
    const heads = [
      ['early-401-encoded', 'POST /v1/chat/%63ompletions HTTP/1.1\r\nhost: x'],
      ['early-401-encoded-version', 'POST /%761/chat/completions HTTP/1.1\r\nhost: x'],
      ['early-401-absolute', `POST http://127.0.0.1:${port}/v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}`],
    ] as const;
    for (const [id, head] of heads) {
      const answer = await answerBeforeBody(`${head}\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\nx-request-id: ${id}\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 401 /, id);
      const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.http.request.id === id), 3_000, `the audit record of ${id}`);
      assert.equal(record.error?.code, 'AIGW_E_UNAUTHENTICATED');
    }
    // With a key, a malformed body on the encoded path is a chat request's 400, audited as one.
    const malformed = await fetch(`${handle.url}/v1/chat/%63ompletions`, { method: 'POST', headers: { 'authorization': `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': 'encoded-400' }, body: '{"model":' });
    assert.equal(malformed.status, 400);
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.http.request.id === 'encoded-400'), 3_000, 'the 400\'s audit record');
    assert.equal(record.http.response.status_code, 400);
  });

  test('an unknown path is a 404 before its body: nobody can make the gateway buffer a body there', async () => {
    const answer = await answerBeforeBody('POST /nonexistent HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4000000\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 404 /);
    // The unread body is read past and thrown away (the client still uploading gets this 404, not a broken pipe).
    assert.doesNotMatch(answer, /connection: close/i);
    assert.match(answer, /"code":"unknown_url"|Invalid URL/);
    const kept = await fetch(`${handle.url}/nonexistent`);
    assert.equal(kept.status, 404, 'a body-less request to an unknown path is still a plain 404');
  });

  test('403 route_not_allowed: the credential allow-list excludes the route', async () => {
    const narrow = handle.newClient({ apiKey: NARROW_KEY });
    const error = await rejectsWith(narrow.chat.completions.create({ model: 'private-model', messages }), 403, 'route_not_allowed');
    assert.ok(error instanceof OpenAI.PermissionDeniedError);
    assert.equal(error.headers?.get('x-aigw-route'), 'private');
    assert.equal(mock.log().filter((entry) => entry.model === 'gpt-private').length, 0, 'no provider call');
    const allowed = await narrow.chat.completions.create({ model: 'gpt-4o-mini', messages });
    assert.equal(allowed.object, 'chat.completion');
  });

  test('404 model_not_found: no route matches; an unknown URL is a 404 envelope too', async () => {
    const error = await rejectsWith(handle.client.chat.completions.create({ model: 'gpt-9-ultra', messages }), 404, 'model_not_found');
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.match(error.message, /gpt-9-ultra/);
    const unknown = await fetch(`${handle.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(unknown.status, 404);
    assertEnvelope(await unknown.json());
  });

  test('413 request_too_large: a body over the limit (AIGW_BODY_LIMIT)', async () => {
    const error = await rejectsWith(
      handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(8_000) }] }),
      413, 'request_too_large',
    );
    assert.equal(error.type, 'invalid_request_error');
  });

  test('429 rate_limit_exceeded with Retry-After: the credential quota', async () => {
    const limited = handle.newClient({ apiKey: LIMITED_KEY });
    await limited.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const error = await rejectsWith(limited.chat.completions.create({ model: 'gpt-4o-mini', messages }), 429, 'rate_limit_exceeded');
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(error.type, 'requests');
    const retryAfter = Number(error.headers?.get('retry-after'));
    // Sliding window: the one request counted now weighs on the next window too, so up to two minutes.
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 120, `retry-after ${String(retryAfter)}`);
    assert.equal(Math.ceil(Number(error.headers?.get('retry-after-ms')) / 1000), retryAfter);
    assert.match(error.message, /limited/);
  });

  test('502 upstream_failed lists every attempt (provider/model, status, reason) with x-should-retry: false', async () => {
    mock.setFaults(['model=gpt-down,status=503', 'model=claude-down,status=529']);
    const callsBefore = mock.log().length;
    // SDK retries on: x-should-retry: false must stop them (one gateway request, two upstream calls).
    const error = await rejectsWith(handle.newClient({ maxRetries: 2 }).chat.completions.create({ model: 'all-down', messages }), 502, 'upstream_failed');
    assert.equal(error.headers?.get('x-should-retry'), 'false');
    assert.equal(error.headers?.get('x-aigw-route'), 'all-down');
    assert.match(error.message, /openai\/gpt-down: 503 retryable_5xx/);
    assert.match(error.message, /anthropic\/claude-down: 529 retryable_5xx/);
    assert.equal(mock.log().length - callsBefore, 2, 'the SDK did not retry the gateway');
  });

  test('504 gateway_timeout: the route timeout_ms bounds a provider that never answers, with x-should-retry: false', async () => {
    mock.setFaults(['model=gpt-silent,no_answer']);
    const error = await rejectsWith(handle.client.chat.completions.create({ model: 'slow', messages }), 504, 'gateway_timeout');
    assert.equal(error.headers?.get('x-should-retry'), 'false');
    assert.match(error.message, /300 ms/);
    // The gateway closed the upstream socket (the mock sees its client go away).
    await eventually(() => mock.log().findLast((entry) => entry.model === 'gpt-silent')?.clientClosed ?? undefined, 2_000, 'upstream close');
  });

  test("a provider's client-caused 400 is returned as is (translated), never failed over", async () => {
    mock.setFaults(['model=gpt-rejects,status=400']);
    const code = await fixtureCode();
    const error = await rejectsWith(handle.client.chat.completions.create({ model: 'client-error', messages }), 400, code);
    assert.equal(error.param, 'max_tokens', "the provider's param is kept");
    assert.equal(error.headers?.get('x-aigw-provider'), 'openai');
    assert.equal(mock.log().filter((entry) => entry.model === 'claude-never').length, 0);
  });
});

/** The code in the openai error-400 fixture (what the provider said). */
async function fixtureCode(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const fixture = JSON.parse(await readFile(new URL('../../fixtures/providers/openai/error-400.json', import.meta.url), 'utf8')) as { response: { body: Envelope } };
  return fixture.response.body.error.code ?? '';
}
