/**
 * Azure OpenAI: deployment URL with api-version, api-key header or Entra bearer, developer → system,
 * and its answer quirks (filter-only first chunk, content_filter finish and 400, string codes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { buildError, builtBody, chatRequest, CONTEXT, makeTarget, runAllSplits } from './native-adapter-harness.js';

const azure = getAdapter('azure-openai');
const BASE = 'https://my-resource.openai.azure.com';
const KEY = literalSecret('azure-key');
const target = (overrides: Parameters<typeof makeTarget>[3] = {}) =>
  makeTarget('azure-openai', 'gpt-4o-mini-prod', BASE, { credentials: { api_key: KEY }, settings: { api_version: '2024-10-21' }, ...overrides });

describe('azure-openai request mapping', () => {
  test('POST {base}/openai/deployments/{deployment}/chat/completions?api-version=… with the api-key header', () => {
    const result = azure.buildRequest(chatRequest(), target());
    assert.ok(result.ok);
    assert.equal(result.request.url, `${BASE}/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=2024-10-21`);
    assert.deepEqual(result.request.auth, { kind: 'header', name: 'api-key', secret: KEY });
    assert.deepEqual(builtBody(result), { model: 'gpt-4o-mini-prod', messages: [{ role: 'user', content: 'Hi' }] });
  });

  test('the deployment name and api-version are URL-encoded; a missing api_version takes the default', () => {
    const result = azure.buildRequest(chatRequest(), target({ model: 'my deploy/1', settings: {} }));
    assert.ok(result.ok);
    assert.equal(result.request.url, `${BASE}/openai/deployments/my%20deploy%2F1/chat/completions?api-version=2024-10-21`);
    const preview = azure.buildRequest(chatRequest(), target({ settings: { api_version: '2025-04-01-preview' } }));
    assert.ok(preview.ok);
    assert.match(preview.request.url, /\?api-version=2025-04-01-preview$/);
  });

  test('an Entra access_token with a value is sent as a bearer token instead of api-key', () => {
    const token = envSecret('AZURE_OPENAI_AD_TOKEN', 'eyJ0eXAi');
    const result = azure.buildRequest(chatRequest(), target({ credentials: { api_key: envSecret('AZURE_OPENAI_API_KEY', undefined), access_token: token } }));
    assert.ok(result.ok);
    assert.deepEqual(result.request.auth, { kind: 'bearer', secret: token });
    const unsetToken = azure.buildRequest(chatRequest(), target({ credentials: { api_key: KEY, access_token: envSecret('AZURE_OPENAI_AD_TOKEN', undefined) } }));
    assert.ok(unsetToken.ok);
    assert.deepEqual(unsetToken.request.auth, { kind: 'header', name: 'api-key', secret: KEY });
    assert.equal(buildError(azure.buildRequest(chatRequest(), target({ credentials: {} }))).failoverClass, 'auth_error');
  });

  test('developer messages are sent as system; tools, images and parameters pass; streams ask for usage', () => {
    const body = builtBody(azure.buildRequest(chatRequest({
      messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
      tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required', max_completion_tokens: 50, seed: 7, user: 'u1',
      response_format: { type: 'json_object' }, stream: true,
    }), target()));
    assert.deepEqual(body, {
      model: 'gpt-4o-mini-prod',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
      tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required', max_completion_tokens: 50, seed: 7, user: 'u1',
      response_format: { type: 'json_object' }, stream: true, stream_options: { include_usage: true },
    });
  });

  test('n > 1 is refused naming azure-openai', () => {
    assert.match(buildError(azure.buildRequest(chatRequest({ n: 2 }), target())).envelope.error.message, /'n'.*'azure-openai'/);
  });
});

describe('azure-openai answers', () => {
  test('an output filtered mid-answer finishes with content_filter', () => {
    const wire = [
      { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [] },
      { choices: [{ content_filter_results: {}, delta: { role: 'assistant', content: '' }, finish_reason: null, index: 0, logprobs: null }], created: 1, id: 'chatcmpl-a', model: 'gpt-4o-mini', object: 'chat.completion.chunk', usage: null },
      { choices: [{ content_filter_results: { violence: { filtered: true, severity: 'medium' } }, delta: {}, finish_reason: 'content_filter', index: 0, logprobs: null }], created: 1, id: 'chatcmpl-a', model: 'gpt-4o-mini', object: 'chat.completion.chunk', usage: null },
    ].map((payload) => `data: ${JSON.stringify(payload)}\n\n`).join('') + 'data: [DONE]\n\n';
    const run = runAllSplits(azure, CONTEXT, wire);
    assert.ok(run.done);
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'content_filter');
    assert.ok(run.chunks.every((chunk) => !('content_filter_results' in (chunk.choices[0] ?? {}))));
  });

  test('a 400 content_filter is class content_filter, returned to the client with the reason', () => {
    const error = azure.parseError(400, {}, JSON.stringify({ error: { message: 'The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy.', type: null, param: 'prompt', code: 'content_filter', status: 400, innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { hate: { filtered: true, severity: 'high' } } } } }));
    assert.equal(error.failoverClass, 'content_filter');
    assert.equal(error.status, 400);
    assert.deepEqual(error.envelope, { error: { message: 'The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy.', type: 'invalid_request_error', param: 'prompt', code: 'content_filter' } });
  });

  test('an innererror ResponsibleAIPolicyViolation alone marks a content filter', () => {
    const error = azure.parseError(400, {}, JSON.stringify({ error: { message: 'Filtered', code: 'BadRequest', innererror: { code: 'ResponsibleAIPolicyViolation' } } }));
    assert.equal(error.failoverClass, 'content_filter');
  });

  test('a 404 DeploymentNotFound is the operator\'s: target_unavailable, a 502 that names the provider code and never blames the request', () => {
    const error = azure.parseError(404, {}, JSON.stringify({ error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } }));
    assert.equal(error.failoverClass, 'target_unavailable');
    assert.equal(error.status, 502);
    assert.equal(error.envelope.error.code, 'upstream_target_unavailable');
    assert.equal(error.envelope.error.type, 'server_error');
    assert.match(error.envelope.error.message, /HTTP 404, DeploymentNotFound: The API deployment for this resource does not exist\./);
    assert.match(error.envelope.error.message, /not a problem with your request/);
  });
});
