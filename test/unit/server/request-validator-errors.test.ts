/**
 * What the request validator's 400s say: the parameter (OpenAI's `messages[0].content[0].type`
 * style) and a message that points the client at the real problem — the bound crossed, the payload a
 * content part lacks, the part type that is not supported, a rule that spans fields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AigwError } from '../../../runtime/errors.js';
import { createRequestValidator, MAX_BODY_DEPTH } from '../../../runtime/server/request-validator.js';

const validateRequest = createRequestValidator();

function rejection(body: unknown): AigwError {
  try {
    validateRequest(body);
  } catch (error) {
    assert.ok(error instanceof AigwError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.toEnvelope().error.code, 'invalid_request');
    assert.equal(error.toEnvelope().error.type, 'invalid_request_error');
    return error;
  }
  return assert.fail(`accepted: ${JSON.stringify(body).slice(0, 200)}`);
}

const withContent = (content: unknown, role = 'user'): Record<string, unknown> => ({ model: 'm', messages: [{ role, content }] });

test('a body nested past MAX_BODY_DEPTH is refused before the schema, naming where; one level less passes', () => {
  const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
  const parse = (metadata: string): unknown => JSON.parse(`{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":${metadata}}`);
  assert.doesNotThrow(() => validateRequest(parse(nested(MAX_BODY_DEPTH - 1))));
  for (const levels of [MAX_BODY_DEPTH, 5_000, 100_000]) {
    const error = rejection(parse(nested(levels)));
    assert.match(error.param ?? '', /^metadata(\[0\])+…(\[0\])+$/, 'long paths keep their first and last levels');
    assert.match(error.message, new RegExp(`too deeply at 'metadata\\[0\\].*': at most ${MAX_BODY_DEPTH} levels are accepted\\.$`));
  }
});

test('depth is checked before the schema: a deep body with a schema error still names the depth', () => {
  const error = rejection(JSON.parse(`{"model":1,"messages":[],"x":${'['.repeat(500)}${']'.repeat(500)}}`));
  assert.match(error.message, /too deeply/);
});

test('a __proto__ or constructor.prototype key is refused with the key and its path', () => {
  const proto = rejection(JSON.parse('{"model":"m","messages":[{"role":"user","content":"x","__proto__":{"x":1}}]}'));
  assert.equal(proto.param, 'messages[0].__proto__');
  assert.match(proto.message, /the key '__proto__' at 'messages\[0\]\.__proto__'.*prototype-poisoning/);
  const constructor = rejection(JSON.parse('{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"constructor":{"prototype":{}}}}'));
  assert.equal(constructor.param, 'metadata.constructor.prototype');
  assert.match(constructor.message, /the key 'constructor\.prototype'/);
});

test('audio and file parts need what OpenAI requires: input_audio {data, format}; file {file_data or file_id}', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ type: 'input_audio' }, 'messages[0].content[0].input_audio', /Missing required parameter/],
    [{ type: 'input_audio', input_audio: {} }, 'messages[0].content[0].input_audio.data', /Missing required parameter/],
    [{ type: 'input_audio', input_audio: { data: 'UklGR' } }, 'messages[0].content[0].input_audio.format', /Missing required parameter/],
    [{ type: 'input_audio', input_audio: { data: 'UklGR', format: '' } }, 'messages[0].content[0].input_audio.format', /Invalid value/],
    [{ type: 'input_audio', input_audio: 'UklGR' }, 'messages[0].content[0].input_audio', /must be object/],
    [{ type: 'file' }, 'messages[0].content[0].file', /Missing required parameter/],
    [{ type: 'file', file: {} }, 'messages[0].content[0].file', /needs 'file_data' or 'file_id'/],
    [{ type: 'file', file: { filename: 'a.pdf' } }, 'messages[0].content[0].file', /needs 'file_data' or 'file_id'/],
    [{ type: 'file', file: { file_id: 7 } }, 'messages[0].content[0].file.file_id', /must be string/],
    [{ type: 'file', file: { file_id: 'file-1', filename: 1 } }, 'messages[0].content[0].file.filename', /must be string/],
  ];
  for (const [part, param, message] of cases) {
    const error = rejection(withContent([part]));
    assert.equal(error.param, param, JSON.stringify(part));
    assert.match(error.message, message, JSON.stringify(part));
  }
  assert.doesNotThrow(() => validateRequest(withContent([
    { type: 'input_audio', input_audio: { data: 'UklGR', format: 'mp3' } },
    { type: 'file', file: { file_id: 'file-1' } },
    { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf' } },
  ])));
});

test('an unknown content-part type is named at its type as not supported, not as "content must be string"', () => {
  const video = rejection(withContent([{ type: 'text', text: 'look' }, { type: 'video', video: {} }]));
  assert.equal(video.param, 'messages[0].content[1].type');
  assert.match(video.message, /content part type 'video' is not supported/);
  assert.match(video.message, /'text', 'image_url', 'input_audio', 'file'/);
  // A system message takes text parts only.
  const image = rejection(withContent([{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }], 'system'));
  assert.equal(image.param, 'messages[0].content[0].type');
  assert.match(image.message, /content part type 'image_url' is not supported here; supported: 'text'/);
  // A text part without its text still says so.
  assert.equal(rejection(withContent([{ type: 'text' }], 'system')).param, 'messages[0].content[0].text');
  // Content that is neither a string nor an array keeps the plain type message.
  assert.equal(rejection(withContent(42)).param, 'messages[0].content');
});

test('stream_options without stream: true is OpenAI\'s 400; with stream, or null, it passes', () => {
  for (const stream of [undefined, false]) {
    const error = rejection({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true }, ...(stream === undefined ? {} : { stream }) });
    assert.equal(error.param, 'stream_options');
    assert.equal(error.message, "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  }
  assert.doesNotThrow(() => validateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }));
  assert.doesNotThrow(() => validateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream_options: null }));
});

test('null is accepted for every nullable parameter (the param table treats it as not set)', () => {
  const nulls = {
    temperature: null, top_p: null, n: null, seed: null, stop: null, max_tokens: null, max_completion_tokens: null, presence_penalty: null,
    frequency_penalty: null, logit_bias: null, logprobs: null, top_logprobs: null, stream_options: null,
  };
  assert.doesNotThrow(() => validateRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...nulls }));
});

test('a model name over 256 characters is refused (it would be echoed into logs, metric labels and the audit record)', () => {
  assert.doesNotThrow(() => validateRequest({ model: 'm'.repeat(256), messages: [{ role: 'user', content: 'x' }] }));
  const error = rejection({ model: 'm'.repeat(257), messages: [{ role: 'user', content: 'x' }] });
  assert.equal(error.param, 'model');
  assert.ok(!error.message.includes('m'.repeat(257)), 'the value itself is not echoed');
});

test('OpenAI shapes the gateway does not carry get unsupported_parameter naming the feature, not a missing field of the usual shape', () => {
  const user = [{ role: 'user', content: 'Hi' }];
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ model: 'm', messages: user, tools: [{ type: 'function', function: { name: 'f' } }, { type: 'custom', custom: { name: 'grammar' } }] }, 'tools[1].type', /^A custom tool \(type 'custom'\) is not supported/],
    [{ model: 'm', messages: user, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }, 'tool_choice.type', /tool_choice of type 'allowed_tools'/],
    [{ model: 'm', messages: user, tool_choice: { type: 'custom', custom: { name: 'x' } } }, 'tool_choice.type', /tool_choice of type 'custom'/],
    [{ model: 'm', messages: [...user, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'g', input: 'x' } }] }] }, 'messages[1].tool_calls[0].type', /custom tool call/],
    [{ model: 'm', messages: [...user, { role: 'function', name: 'f', content: '1' }] }, 'messages[1].role', /legacy 'function' role .*role 'tool'/],
    [{ model: 'm', messages: [...user, { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] }] }, 'messages[1].content[0].type', /refusal content part/],
  ];
  for (const [body, param, message] of cases) {
    try {
      validateRequest(body);
      assert.fail(`accepted ${param}`);
    } catch (error) {
      assert.ok(error instanceof AigwError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.toEnvelope().error.code, 'unsupported_parameter', param);
      assert.equal(error.param, param);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /Missing required parameter/);
    }
  }
});

test('a tool_choice that asks for a tool call without tools is OpenAI\'s 400; "auto" and "none" pass', () => {
  const body = (extra: Record<string, unknown>): Record<string, unknown> => ({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });
  for (const tool_choice of ['required', { type: 'function', function: { name: 'lookup' } }]) {
    const error = rejection(body({ tool_choice }));
    assert.equal(error.param, 'tool_choice');
    assert.equal(error.message, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  }
  for (const tool_choice of ['auto', 'none']) assert.doesNotThrow(() => validateRequest(body({ tool_choice })));
  const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
  assert.doesNotThrow(() => validateRequest(body({ tool_choice: 'required', tools })));
});

test('an array of the right type with the wrong length names the bound, not the other branch\'s type', () => {
  const stop = rejection({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b', 'c', 'd', 'e'] });
  assert.equal(stop.param, 'stop');
  assert.match(stop.message, /more than 4 items/);
  const empty = rejection(withContent([]));
  assert.equal(empty.param, 'messages[0].content');
  assert.match(empty.message, /fewer than 1 items/);
  // A value of neither type keeps the type message.
  assert.match(rejection({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop: 5 }).message, /must be string or array|must be string/);
});
