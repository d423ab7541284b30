import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { Fixture } from '../../../runtime/mock/fixture-index.js';
import { fixtureWire, malformedChunk } from '../../../runtime/mock/fixture-wire.js';
import { bedrockStream, openaiChat, openaiChatStream, openaiError429 } from './test-fixtures.js';

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);
const asFixture = (value: object): Fixture => value as Fixture;

test('a JSON body is serialised with the recorded model replaced by the requested one', () => {
  const wire = fixtureWire(asFixture(openaiChat), 'my-model');
  assert.equal(wire.status, 200);
  assert.equal(wire.headersAtMs, 120);
  const body = JSON.parse(text(wire.body)) as { model: string; choices: unknown[] };
  assert.equal(body.model, 'my-model');
  assert.equal(wire.headers['content-type'], 'application/json');
  assert.equal(wire.headers['x-request-id'], 'req_1');
  assert.equal(wire.headers['content-length'], undefined, 'the server frames the body itself');
  assert.equal(wire.chunks, undefined);
});

test('the model is replaced only where it is a whole JSON string', () => {
  const fixture = asFixture({
    ...openaiChat,
    recorded_model: 'gpt-4o',
    response: { status: 200, headers: {}, body: { model: 'gpt-4o', note: 'gpt-4o-mini', other: 'gpt-4o-2024' } },
  });
  const body = JSON.parse(text(fixtureWire(fixture, 'x/y').body)) as Record<string, string>;
  assert.deepEqual(body, { model: 'x/y', note: 'gpt-4o-mini', other: 'gpt-4o-2024' });
});

test('stream chunks keep their offsets and exact text, with the model replaced', () => {
  const wire = fixtureWire(asFixture(openaiChatStream), 'requested');
  assert.equal(wire.framing, 'sse');
  assert.equal(wire.headers['content-type'], 'text/event-stream');
  assert.deepEqual(wire.chunks?.map((chunk) => chunk.atMs), [100, 150, 160]);
  assert.equal(text(wire.chunks?.[0]?.bytes), 'data: {"id":"c","model":"requested","choices":[{"index":0,"delta":{"role":"assistant","content":"He"}}]}\n\n');
  assert.equal(text(wire.chunks?.[2]?.bytes), 'data: [DONE]\n\n');
  assert.equal(wire.body, undefined);
});

test('error fixtures keep their status and retry headers', () => {
  const wire = fixtureWire(asFixture(openaiError429), 'm');
  assert.equal(wire.status, 429);
  assert.equal(wire.headers['retry-after'], '2');
  assert.equal(wire.headersAtMs, 0);
});

test('bedrock frames are real event-stream binary that the AWS codec decodes (CRCs checked)', () => {
  const wire = fixtureWire(asFixture(bedrockStream), 'm');
  assert.equal(wire.headers['content-type'], 'application/vnd.amazon.eventstream');
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const decoded = (wire.chunks ?? []).map((chunk) => codec.decode(chunk.bytes));
  assert.equal(decoded.length, 2);
  assert.deepEqual(decoded[1]?.headers[':event-type'], { type: 'string', value: 'contentBlockDelta' });
  assert.deepEqual(decoded[1]?.headers[':message-type'], { type: 'string', value: 'event' });
  assert.deepEqual(JSON.parse(text(decoded[1]?.body)), { contentBlockIndex: 0, delta: { text: 'Hello' } });
  const corrupted = Uint8Array.from(wire.chunks?.[1]?.bytes ?? []);
  corrupted[corrupted.length - 6] = (corrupted[corrupted.length - 6] ?? 0) ^ 0xff;
  assert.throws(() => codec.decode(corrupted), /checksum/i, 'a flipped payload byte fails the message CRC');
});

test('encodings are cached per fixture and model', () => {
  const fixture = asFixture(openaiChatStream);
  assert.equal(fixtureWire(fixture, 'a'), fixtureWire(fixture, 'a'));
  assert.notEqual(fixtureWire(fixture, 'a'), fixtureWire(fixture, 'b'));
  const first = fixtureWire(fixture, 'model-0');
  for (let index = 1; index <= 64; index += 1) fixtureWire(fixture, `model-${index}`);
  assert.notEqual(fixtureWire(fixture, 'model-0'), first, 'the per-fixture cache is bounded');
});

test('a malformed chunk keeps its framing but carries broken JSON', () => {
  const sse = new TextEncoder().encode('event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n');
  const broken = text(malformedChunk(sse, 'sse'));
  assert.match(broken, /^event: content_block_delta\ndata: \{"aigw_mock_malformed":\n\n$/);
  assert.throws(() => JSON.parse(broken.split('\n')[1]?.slice(6) ?? ''));

  assert.equal(text(malformedChunk(new TextEncoder().encode('{"done":false}\n'), 'ndjson')), '{"aigw_mock_malformed":\n');

  const frame = fixtureWire(asFixture(bedrockStream), 'm').chunks?.[1]?.bytes ?? new Uint8Array();
  const message = new EventStreamCodec(toUtf8, fromUtf8).decode(malformedChunk(frame, 'aws-eventstream'));
  assert.deepEqual(message.headers[':event-type'], { type: 'string', value: 'contentBlockDelta' });
  assert.equal(text(message.body), '{"aigw_mock_malformed":');
});

test('an encoded frame matches the worked contentBlockDelta frame byte for byte (providers.md §5.4)', () => {
  const fixture = asFixture({
    ...bedrockStream,
    response: { status: 200, headers: {}, stream: { framing: 'aws-eventstream', chunks: [{ at_ms: 0, event: {
      headers: { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
      payload: { contentBlockIndex: 0, delta: { text: 'Hello' }, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGH' },
    } }] } },
  });
  const bytes = fixtureWire(fixture, 'm').chunks?.[0]?.bytes ?? new Uint8Array();
  const hex = Buffer.from(bytes).toString('hex');
  assert.equal(bytes.length, 192);
  assert.equal(hex.slice(0, 24), '000000c0000000577938f3e5');
  assert.equal(hex.slice(-8), 'f60fe6cc');
});
