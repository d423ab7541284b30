import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { NativeRequest } from '../../../runtime/adapters/contract.js';
import { buildMockApp, type MockAppOptions } from '../../../runtime/mock/build-mock-app.js';
import { createRequestLog } from '../../../runtime/mock/request-log.js';
import { MOCK_AWS_CREDENTIALS } from '../../../runtime/mock/sigv4-verify.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { createAuthApplier } from '../../../runtime/transport/apply-auth.js';
import { ALL_TEST_FIXTURES, writeFixtureDirectory } from './test-fixtures.js';

function mockApp(t: TestContext, options: Omit<MockAppOptions, 'fixtures'> = {}) {
  const app = buildMockApp({ fixtures: writeFixtureDirectory(t, ALL_TEST_FIXTURES), speed: 0, ...options });
  t.after(() => app.close());
  return app;
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const bearer = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };

test('an OpenAI chat is answered from its fixture at the real path, echoing the requested model', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: bearer, payload: chat });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['x-request-id'], 'req_1');
  const body = response.json<{ model: string; choices: { message: { content: string } }[] }>();
  assert.equal(body.model, 'gpt-4o-mini');
  assert.equal(body.choices[0]?.message.content, 'Hello!');
});

test('a stream request gets the stream fixture, every chunk in order', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: bearer, payload: { ...chat, model: 'x', stream: true } });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/event-stream');
  assert.match(response.body, /^data: \{"id":"c","model":"x",.*\n\ndata: \{.*"finish_reason":"stop".*\n\ndata: \[DONE\]\n\n$/s);
});

test('paths outside a provider\'s API are that provider\'s 404; unknown providers are the mock\'s own 404', async (t) => {
  const app = mockApp(t);
  const wrongPath = await app.inject({ method: 'POST', url: '/openai/v2/chat/completions', headers: bearer, payload: chat });
  assert.equal(wrongPath.statusCode, 404);
  assert.equal(wrongPath.json<{ error: { type: string } }>().error.type, 'invalid_request_error');
  const unknown = await app.inject({ method: 'POST', url: '/nope/v1/chat/completions', headers: bearer, payload: chat });
  assert.equal(unknown.statusCode, 404);
  assert.match(unknown.json<{ error: { message: string } }>().error.message, /no provider "nope"/);
});

test('a provider without the needed fixture answers 501 in its own error shape, naming the case', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/groq/openai/v1/chat/completions', headers: bearer, payload: chat });
  assert.equal(response.statusCode, 501);
  assert.match(response.json<{ error: { message: string } }>().error.message, /no fixture groq\/chat/);
});

test('a missing bearer key is the OpenAI-style 401', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', payload: chat });
  assert.equal(response.statusCode, 401);
  const error = response.json<{ error: { type: string; code: string; message: string } }>().error;
  assert.equal(error.code, 'invalid_api_key');
  assert.match(error.message, /API key/);
});

test('vLLM and Ollama need no key; every hosted API does', async (t) => {
  const app = mockApp(t);
  const vllm = await app.inject({ method: 'POST', url: '/vllm/v1/chat/completions', payload: chat });
  assert.equal(vllm.statusCode, 501, 'past the auth check (no vllm fixture here)');
  const ollama = await app.inject({ method: 'POST', url: '/ollama/api/chat', payload: { model: 'llama3.2', messages: [] } });
  assert.equal(ollama.statusCode, 501);
  assert.deepEqual(Object.keys(ollama.json()), ['error'], 'ollama errors are {"error": "…"}');
  for (const url of ['/mistral/v1/chat/completions', '/cohere/v2/chat', '/xai/v1/chat/completions', '/perplexity/chat/completions']) {
    const response = await app.inject({ method: 'POST', url, payload: chat });
    assert.equal(response.statusCode, 401, url);
  }
});

const anthropicBody = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };

test('Anthropic accepts x-api-key with 2023-06-01 and bearer with a newer version; rejects a missing key or version', async (t) => {
  const app = mockApp(t);
  const send = (headers: Record<string, string>, payload: object = anthropicBody) =>
    app.inject({ method: 'POST', url: '/anthropic/v1/messages', headers: { 'content-type': 'application/json', ...headers }, payload });
  assert.equal((await send({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' })).statusCode, 200);
  const newest = await send({ authorization: 'Bearer k', 'anthropic-version': '2026-10-21' });
  assert.equal(newest.statusCode, 200);
  assert.equal(newest.json<{ model: string }>().model, 'claude-haiku-4-5');
  const noKey = await send({ 'anthropic-version': '2023-06-01' });
  assert.equal(noKey.statusCode, 401);
  assert.deepEqual(noKey.json<{ type: string; error: { type: string } }>().error.type, 'authentication_error');
  assert.equal(noKey.json<{ type: string }>().type, 'error');
  const noVersion = await send({ 'x-api-key': 'k' });
  assert.equal(noVersion.statusCode, 400);
  assert.match(noVersion.body, /anthropic-version/);
});

test('required fields are checked per provider and rejected in the provider\'s own shape', async (t) => {
  const app = mockApp(t);
  const anthropic = await app.inject({
    method: 'POST', url: '/anthropic/v1/messages',
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, payload: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
  });
  assert.equal(anthropic.statusCode, 400);
  assert.deepEqual(anthropic.json<{ error: unknown }>().error, { type: 'invalid_request_error', message: 'max_tokens: Field required' });

  const gemini = await app.inject({ method: 'POST', url: '/gemini/v1beta/models/gemini-2.5-flash:generateContent', headers: { 'x-goog-api-key': 'k' }, payload: { generationConfig: {} } });
  assert.equal(gemini.statusCode, 400);
  assert.equal(gemini.json<{ error: { status: string; code: number } }>().error.status, 'INVALID_ARGUMENT');

  const openai = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: bearer, payload: { model: 'm' } });
  assert.equal(openai.statusCode, 400);
  assert.equal(openai.json<{ error: { message: string } }>().error.message, "Missing required parameter: 'messages'.");

  const notJson = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: bearer, payload: '{"model":' });
  assert.equal(notJson.statusCode, 400);
});

test('Gemini takes its key from x-goog-api-key or ?key=, model from the path, and wants alt=sse for streams', async (t) => {
  const app = mockApp(t);
  const contents = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
  const viaHeader = await app.inject({ method: 'POST', url: '/gemini/v1beta/models/gemini-2.0-pro:generateContent', headers: { 'x-goog-api-key': 'k' }, payload: contents });
  assert.equal(viaHeader.statusCode, 200);
  assert.equal(viaHeader.json<{ modelVersion: string }>().modelVersion, 'gemini-2.0-pro');
  const viaQuery = await app.inject({ method: 'POST', url: '/gemini/v1beta/models/gemini-2.5-flash:generateContent?key=k', payload: contents });
  assert.equal(viaQuery.statusCode, 200);
  const none = await app.inject({ method: 'POST', url: '/gemini/v1beta/models/gemini-2.5-flash:generateContent', payload: contents });
  assert.equal(none.statusCode, 403);
  assert.equal(none.json<{ error: { status: string } }>().error.status, 'PERMISSION_DENIED');
  const noSse = await app.inject({ method: 'POST', url: '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', headers: { 'x-goog-api-key': 'k' }, payload: contents });
  assert.equal(noSse.statusCode, 400);
});

test('Azure needs api-key (or bearer) and api-version on deployment URLs', async (t) => {
  const app = mockApp(t);
  const url = '/azure-openai/openai/deployments/my-dep/chat/completions';
  const noVersion = await app.inject({ method: 'POST', url, headers: { 'api-key': 'k' }, payload: { messages: chat.messages } });
  assert.equal(noVersion.statusCode, 400);
  assert.match(noVersion.body, /api-version/);
  const noKey = await app.inject({ method: 'POST', url: `${url}?api-version=2024-10-21`, payload: { messages: chat.messages } });
  assert.equal(noKey.statusCode, 401);
  assert.deepEqual(noKey.json<{ error: { code: string } }>().error.code, '401');
  const ok = await app.inject({ method: 'POST', url: `${url}?api-version=2024-10-21`, headers: { 'api-key': 'k' }, payload: { messages: chat.messages } });
  assert.equal(ok.statusCode, 501, 'past the checks; the model comes from the deployment, not the body');
  assert.match(ok.body, /no fixture azure-openai\/chat/);
});

async function signedBedrock(body: string, secret: string = MOCK_AWS_CREDENTIALS.secretAccessKey, accessKeyId: string = MOCK_AWS_CREDENTIALS.accessKeyId) {
  const url = 'http://localhost:80/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse';
  const native: NativeRequest = {
    method: 'POST', url, headers: { 'content-type': 'application/json' }, body, stream: false,
    auth: { kind: 'sigv4', service: 'bedrock', region: 'us-east-1', accessKeyId: literalSecret(accessKeyId), secretAccessKey: literalSecret(secret) },
  };
  const headers = await createAuthApplier().headers(native, new URL(url), new TextEncoder().encode(body));
  return { url: '/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', headers };
}

test('Bedrock verifies SigV4 for real with the mock test credentials', async (t) => {
  const app = mockApp(t);
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  const good = await signedBedrock(body);
  const ok = await app.inject({ method: 'POST', url: good.url, headers: good.headers, payload: body });
  assert.equal(ok.statusCode, 200, ok.body);

  const tampered = await app.inject({ method: 'POST', url: good.url, headers: good.headers, payload: body.replace('hi', 'ho') });
  assert.equal(tampered.statusCode, 403);
  assert.match(String(tampered.headers['x-amzn-errortype']), /^InvalidSignatureException:/);
  assert.match(tampered.json<{ message: string }>().message, /signature we calculated does not match/);

  const wrongSecret = await signedBedrock(body, 'not-the-secret');
  assert.equal((await app.inject({ method: 'POST', url: wrongSecret.url, headers: wrongSecret.headers, payload: body })).statusCode, 403);

  const unknownKey = await signedBedrock(body, MOCK_AWS_CREDENTIALS.secretAccessKey, 'AKIDOTHER');
  const unknown = await app.inject({ method: 'POST', url: unknownKey.url, headers: unknownKey.headers, payload: body });
  assert.match(String(unknown.headers['x-amzn-errortype']), /^UnrecognizedClientException:/);

  const unsigned = await app.inject({ method: 'POST', url: good.url, headers: { 'content-type': 'application/json' }, payload: body });
  assert.equal(unsigned.statusCode, 403);
  const bearerKey = await app.inject({ method: 'POST', url: good.url, headers: { authorization: 'Bearer bedrock-api-key' }, payload: body });
  assert.equal(bearerKey.statusCode, 200, 'Bedrock API keys are bearer tokens');

  // A signer that sends x-amz-content-sha256 (the AWS SDK does) signs that header, not the body: a
  // body changed after signing must fail too.
  {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Hash } = await import('@smithy/hash-node');
    const withHash = await new SignatureV4({ credentials: MOCK_AWS_CREDENTIALS, region: 'us-east-1', service: 'bedrock', sha256: Hash.bind(null, 'sha256'), applyChecksum: true })
      .sign({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 80, path: good.url, query: {}, headers: { host: 'localhost:80', 'content-type': 'application/json' }, body });
    assert.ok(withHash.headers['x-amz-content-sha256'] !== undefined);
    assert.equal((await app.inject({ method: 'POST', url: good.url, headers: withHash.headers, payload: body })).statusCode, 200);
    const tamperedWithHash = await app.inject({ method: 'POST', url: good.url, headers: withHash.headers, payload: body.replace('hi', 'ho') });
    assert.equal(tamperedWithHash.statusCode, 403);
    assert.match(String(tamperedWithHash.headers['x-amzn-errortype']), /^InvalidSignatureException:/);
  }

  // The classic gateway bug: signing the model id path encoded once instead of twice.
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Hash } = await import('@smithy/hash-node');
  const singlyEncoded = await new SignatureV4({ credentials: MOCK_AWS_CREDENTIALS, region: 'us-east-1', service: 'bedrock', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false })
    .sign({ method: 'POST', protocol: 'http:', hostname: 'localhost', port: 80, path: good.url, query: {}, headers: { host: 'localhost:80', 'content-type': 'application/json' }, body });
  const pitfall = await app.inject({ method: 'POST', url: good.url, headers: singlyEncoded.headers, payload: body });
  assert.equal(pitfall.statusCode, 403, 'a path signed with single encoding does not verify');

  const missing = await signedBedrock('{"inferenceConfig":{}}');
  const invalid = await app.inject({ method: 'POST', url: missing.url, headers: missing.headers, payload: '{"inferenceConfig":{}}' });
  assert.equal(invalid.statusCode, 400);
  assert.match(String(invalid.headers['x-amzn-errortype']), /^ValidationException:/);
});

test('the request log records each request with secrets masked, and DELETE clears it', async (t) => {
  const requestLog = createRequestLog();
  const app = mockApp(t, { requestLog });
  await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: { ...bearer, 'x-api-key': 'secret-2' }, payload: chat });
  await app.inject({ method: 'POST', url: '/gemini/v1beta/models/g:generateContent?key=secret-3', payload: { contents: [{ parts: [] }] } });
  const response = await app.inject({ method: 'GET', url: '/__mock/log' });
  const entries = response.json<{ entries: Record<string, unknown>[] }>().entries;
  assert.equal(entries.length, 2);
  const [first, second] = entries;
  assert.equal(first?.['provider'], 'openai');
  assert.equal(first?.['model'], 'gpt-4o-mini');
  assert.equal(first?.['status'], 200);
  assert.equal(first?.['outcome'], 'answered');
  assert.equal(first?.['completed'], true);
  assert.equal(first?.['clientClosed'], null);
  assert.deepEqual(first?.['body'], chat);
  assert.equal((first?.['headers'] as Record<string, string>)['authorization'], 'Bearer ****');
  assert.equal((first?.['headers'] as Record<string, string>)['x-api-key'], '****');
  assert.equal(second?.['path'], '/gemini/v1beta/models/g:generateContent?key=****');
  assert.doesNotMatch(response.body, /sk-test|secret-2|secret-3/);
  assert.equal((await app.inject({ method: 'DELETE', url: '/__mock/log' })).statusCode, 204);
  assert.deepEqual((await app.inject({ method: 'GET', url: '/__mock/log' })).json(), { entries: [] });
});

test('a large request body is logged as its size only, so the bounded log stays small', async (t) => {
  const requestLog = createRequestLog();
  const app = mockApp(t, { requestLog });
  const payload = { ...chat, messages: [{ role: 'user', content: 'x'.repeat(300 * 1024) }] };
  assert.equal((await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: bearer, payload })).statusCode, 200);
  const body = requestLog.entries()[0]?.body as { aigw_mock_body_omitted: boolean; bytes: number };
  assert.equal(body.aigw_mock_body_omitted, true);
  assert.equal(body.bytes, Buffer.byteLength(JSON.stringify(payload)));
});
