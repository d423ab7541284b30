import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TargetContext } from '../../../runtime/adapters/contract.js';
import { vertexAiAdapter } from '../../../runtime/adapters/vertex-ai/index.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { replayFixtures } from './fixture-replay.js';
import { buildError, builtBody, canonicalRequest, chatRequest, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const REGIONAL = 'https://us-central1-aiplatform.googleapis.com';
const SETTINGS = { project: 'aigw-demo', location: 'us-central1' };
const target = (overrides: Partial<TargetContext> = {}): TargetContext =>
  makeTarget('vertex-ai', 'gemini-2.5-flash', REGIONAL, { settings: SETTINGS, credentials: { access_token: literalSecret('ya29.token') }, ...overrides });

describe('vertex-ai request mapping', () => {
  test('the regional URL names project, location and the Google publisher model; the body is Gemini\'s', () => {
    const result = vertexAiAdapter.buildRequest(canonicalRequest('chat'), target());
    assert.ok(result.ok);
    assert.equal(result.request.url, `${REGIONAL}/v1/projects/aigw-demo/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent`);
    assert.deepEqual(builtBody(result), {
      systemInstruction: { parts: [{ text: 'You are a terse assistant.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Say hello in one short sentence.' }] }],
      generationConfig: { temperature: 0.2, maxOutputTokens: 64 },
    });
  });

  test('streams use :streamGenerateContent?alt=sse with SSE framing; api_version is a setting', () => {
    const result = vertexAiAdapter.buildRequest(chatRequest({ stream: true }), target({ settings: { ...SETTINGS, api_version: 'v1beta1' } }));
    assert.ok(result.ok);
    assert.equal(result.request.url, `${REGIONAL}/v1beta1/projects/aigw-demo/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse`);
    assert.deepEqual(result.request.stream, { framing: 'sse' });
  });

  test('location global is served by the host without a region prefix', () => {
    const result = vertexAiAdapter.buildRequest(chatRequest(), target({ baseUrl: 'https://global-aiplatform.googleapis.com', settings: { project: 'p', location: 'global' } }));
    assert.ok(result.ok);
    assert.equal(result.request.url, 'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent');
  });

  test('a full resource name (a tuned-model endpoint) is used as written', () => {
    const model = 'projects/p/locations/us-central1/endpoints/123';
    const result = vertexAiAdapter.buildRequest(chatRequest(), target({ model }));
    assert.ok(result.ok);
    assert.equal(result.request.url, `${REGIONAL}/v1/${model}:generateContent`);
  });

  test('auth: access_token → bearer, service_account → minted Google tokens, api_key → x-goog-api-key (express mode without a project)', () => {
    const bearer = vertexAiAdapter.buildRequest(chatRequest(), target());
    assert.ok(bearer.ok);
    assert.equal(bearer.request.auth.kind, 'bearer');
    const keyFile = envSecret('GOOGLE_APPLICATION_CREDENTIALS', '/keys/sa.json');
    const account = vertexAiAdapter.buildRequest(chatRequest(), target({ credentials: { service_account: keyFile, access_token: envSecret('GOOGLE_OAUTH_ACCESS_TOKEN', undefined) } }));
    assert.ok(account.ok);
    assert.deepEqual(account.request.auth, { kind: 'google-service-account', keyFile });
    const express = vertexAiAdapter.buildRequest(chatRequest(), target({ settings: {}, credentials: { api_key: literalSecret('AQ.key') } }));
    assert.ok(express.ok);
    assert.equal(express.request.auth.kind === 'header' ? express.request.auth.name : '', 'x-goog-api-key');
    assert.equal(express.request.url, 'https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent');
    assert.equal(JSON.stringify(express.request).includes('AQ.key'), false);
  });

  test('no credential, or no project outside express mode, is a configuration error the engine fails over on', () => {
    const none = buildError(vertexAiAdapter.buildRequest(chatRequest(), target({ credentials: {} })));
    assert.equal(none.failoverClass, 'auth_error');
    const noProject = buildError(vertexAiAdapter.buildRequest(chatRequest(), target({ settings: { location: 'us-central1' } })));
    assert.equal(noProject.failoverClass, 'auth_error');
    assert.match(noProject.envelope.error.message, /project/);
  });

  test('parameters follow the Gemini table (400 naming the provider, or a recorded drop)', () => {
    const error = buildError(vertexAiAdapter.buildRequest(chatRequest({ user: 'u' }), target()));
    assert.match(error.envelope.error.message, /provider 'vertex-ai'/);
    const dropped = vertexAiAdapter.buildRequest(chatRequest({ user: 'u' }), target({ dropParams: true }));
    assert.ok(dropped.ok);
    assert.deepEqual(dropped.dropped.map((entry) => entry.param), ['user']);
  });
});

describe('vertex-ai errors and streams', () => {
  test('an array-wrapped error body is read like a bare one', () => {
    const body = JSON.stringify([{ error: { code: 429, message: 'Resource exhausted.', status: 'RESOURCE_EXHAUSTED' } }]);
    const error = vertexAiAdapter.parseError(429, {}, body);
    assert.equal(error.failoverClass, 'rate_limited');
    assert.equal(error.envelope.error.message, 'Resource exhausted.');
    assert.equal(error.envelope.error.code, 'RESOURCE_EXHAUSTED');
  });

  test('a 401 for an expired token is an auth_error reported as 502', () => {
    const error = vertexAiAdapter.parseError(401, {}, JSON.stringify({ error: { code: 401, message: 'expired', status: 'UNAUTHENTICATED' } }));
    assert.equal(error.failoverClass, 'auth_error');
    assert.equal(error.status, 502);
    assert.match(error.envelope.error.message, /Vertex AI/);
  });

  test('Vertex stream events (createTime, trafficType) translate like Gemini\'s', () => {
    const event = (value: unknown): string => `data: ${JSON.stringify(value)}\r\n\r\n`;
    const run = runAllSplits(vertexAiAdapter, CONTEXT, event({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4, trafficType: 'ON_DEMAND' },
      createTime: '2026-01-01T00:00:00Z',
    }));
    assert.equal(run.done, true);
    assert.deepEqual(run.usage, { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
  });
});

describe('vertex-ai fixtures', () => {
  replayFixtures({
    adapter: vertexAiAdapter,
    provider: 'vertex-ai',
    baseUrl: REGIONAL,
    target: (fixture) => target({ settings: fixture.target?.settings ?? {} }),
  });
});
