/**
 * Hostile and unusual request bodies over real sockets, as the HTTP review sent them: each is a 400
 * `invalid_request` in OpenAI's envelope naming the parameter — never a 500 from an adapter that
 * choked on it (stack overflow, TypeError) — or, for `null` parameters, an ordinary answer with
 * nothing null sent upstream.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { MAX_BODY_DEPTH } from '../../runtime/server/request-validator.js';
import { gatewaySuite, mockProviders, postRaw, type GatewayHandle } from './helpers/gateway-harness.js';

interface Envelope { error: { message: string; type: string; param: string | null; code: string | null } }

const user = (content: unknown): unknown[] => [{ role: 'user', content }];

/** `levels` nested empty arrays as JSON text (built as text: the test's own JSON.stringify would overflow too). */
const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

describe('request validation', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini', bedrock: 'bedrock' }, { bedrock: 'region: us-east-1' })}
ai_routes:
  - { name: openai, match: { model: gpt-4o-mini }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
  - { name: anthropic, match: { model: claude }, targets: [ { provider: anthropic, model: claude-haiku-4-5 } ] }
  - { name: gemini, match: { model: gemini }, targets: [ { provider: gemini, model: gemini-2.0-flash } ] }
  - { name: bedrock, match: { model: bedrock }, targets: [ { provider: bedrock, model: anthropic.claude-3-5-haiku-20241022-v1:0 } ] }
  - name: anthropic-then-gemini
    match: { model: claude-sonnet }
    targets:
      - { provider: anthropic, model: claude-sonnet-4-5 }
      - { provider: gemini, model: gemini-2.0-flash, weight: 0 }
`);

  async function rejected(body: unknown, param: string | RegExp): Promise<Envelope> {
    const response = await postRaw(`${handle.url}/v1/chat/completions`, body);
    assert.equal(response.status, 400, response.text);
    const envelope = JSON.parse(response.text) as Envelope;
    assert.equal(envelope.error.type, 'invalid_request_error');
    assert.equal(envelope.error.code, 'invalid_request', envelope.error.message);
    if (typeof param === 'string') assert.equal(envelope.error.param, param);
    else assert.match(envelope.error.param ?? '', param);
    assert.match(response.headers.get('x-request-id') ?? '', /\S/);
    return envelope;
  }

  test('a body nested 5 000 levels deep is a 400 naming where the bound was crossed, wherever the nesting sits', async () => {
    const prefix = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"';
    const cases: [string, string][] = [
      [`${prefix}}],"metadata":${nested(5_000)}}`, 'metadata[0]'],
      [`${prefix}}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","x":${nested(5_000)}}}}]}`, 'tools[0].function.parameters.x[0]'],
      [`${prefix}}],"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"x":${nested(5_000)}}}}}`, 'response_format.json_schema.schema.x[0]'],
      [`${prefix},"extra":${nested(5_000)}}]}`, 'messages[0].extra[0]'],
    ];
    const callsBefore = mock.log().length;
    for (const [body, start] of cases) {
      const envelope = await rejected(body, new RegExp(`^${start.replace(/[.[\]]/g, '\\$&')}`));
      assert.match(envelope.error.message, new RegExp(`at most ${MAX_BODY_DEPTH} levels`));
    }
    assert.equal(mock.log().length, callsBefore, 'nothing reached a provider');
    const healthy = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still there?' }] });
    assert.equal(healthy.object, 'chat.completion');
  });

  test('a body exactly at the depth bound is answered', async () => {
    // The body is level 1 and `metadata` level 2: MAX_BODY_DEPTH - 1 nested arrays reach the bound exactly.
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"metadata":${nested(MAX_BODY_DEPTH - 1)}}`;
    const response = await postRaw(`${handle.url}/v1/chat/completions`, body);
    assert.equal(response.status, 200, response.text);
  });

  test('audio and file parts without their payload are 400s naming it, for the adapters that read it (Gemini, Bedrock)', async () => {
    const cases: [string, unknown, string][] = [
      ['claude-sonnet', { type: 'input_audio' }, 'messages[0].content[0].input_audio'],
      ['gemini', { type: 'input_audio', input_audio: {} }, 'messages[0].content[0].input_audio.data'],
      ['gemini', { type: 'input_audio', input_audio: { data: 'UklGR' } }, 'messages[0].content[0].input_audio.format'],
      ['gemini', { type: 'file' }, 'messages[0].content[0].file'],
      ['bedrock', { type: 'file' }, 'messages[0].content[0].file'],
      ['bedrock', { type: 'file', file: { filename: 'a.pdf' } }, 'messages[0].content[0].file'],
    ];
    for (const [model, part, param] of cases) {
      for (const stream of [false, true]) await rejected({ model, stream, messages: user([part]) }, param);
    }
    const answered = await handle.client.chat.completions.create({
      model: 'gemini', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }] }],
    });
    assert.equal(answered.object, 'chat.completion');
  });

  test('an unknown content-part type is named as such, at its type', async () => {
    const envelope = await rejected({ model: 'gpt-4o-mini', messages: user([{ type: 'video' }]) }, 'messages[0].content[0].type');
    assert.match(envelope.error.message, /content part type 'video' is not supported/);
  });

  test('null parameters mean "not set": answered on every route, and no null is sent upstream', async () => {
    const nulls = {
      temperature: null, top_p: null, n: null, seed: null, stop: null, max_tokens: null, max_completion_tokens: null,
      presence_penalty: null, frequency_penalty: null, logprobs: null, top_logprobs: null, logit_bias: null, stream_options: null, stream: null,
    };
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object', properties: {} }, strict: null } }];
    for (const [model, provider] of [['gpt-4o-mini', 'openai'], ['claude', 'anthropic'], ['gemini', 'gemini'], ['bedrock', 'bedrock']] as const) {
      const response = await postRaw(`${handle.url}/v1/chat/completions`, { model, messages: user('Hello'), tools, ...nulls });
      assert.equal(response.status, 200, `${model}: ${response.text}`);
      const sent = JSON.stringify(mock.log().findLast((entry) => entry.provider === provider)?.body);
      assert.doesNotMatch(sent, /null/, `${provider} received ${sent}`);
    }
  });

  test('stream_options without stream: true is refused as OpenAI refuses it', async () => {
    for (const stream of [undefined, false]) {
      const envelope = await rejected({ model: 'gpt-4o-mini', messages: user('Hello'), stream, stream_options: { include_usage: true } }, 'stream_options');
      assert.equal(envelope.error.message, "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    }
  });

  test('a __proto__ key is refused as such (naming the key and its path), not as invalid JSON', async () => {
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"__proto__":{"type":"string"}}}}}]}';
    const envelope = await rejected(body, 'tools[0].function.parameters.properties.__proto__');
    assert.match(envelope.error.message, /'__proto__'.*prototype-poisoning/);
    const constructor = await rejected('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"metadata":{"constructor":{"prototype":{}}}}', 'metadata.constructor.prototype');
    assert.match(constructor.error.message, /'constructor\.prototype'/);
    assert.equal((await postRaw(`${handle.url}/v1/chat/completions`, '{"model":"gpt-4o-mini","messages":[')).status, 400, 'malformed JSON is still invalid_json');
  });
});
