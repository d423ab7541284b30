/**
 * Chunks serialised by head and delta (issue 8): whatever path a chunk takes, `chunkJson`, a stream's
 * serializer (which keeps the head of the chunk before) and so the SSE writer produce exactly
 * `JSON.stringify(chunk)` — for factory chunks of every kind, and for chunks changed or rebuilt after
 * the factory made them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createChunkFactory } from '../../../runtime/adapters/chunks.js';
import { chunkJson, createChunkSerializer } from '../../../runtime/openai/chunk-json.js';
import { createSseChunkWriter, sseChunk } from '../../../runtime/openai/sse-writer.js';
import type { ChatCompletionChunk } from '../../../runtime/openai/wire.js';
import { continuationChunk, createRelayState, filterUsage } from '../../../runtime/routing/continuation.js';

const contexts = [
  { completionId: 'chatcmpl-1', created: 1_700_000_000, model: 'gpt-4o-mini', includeUsage: false },
  { completionId: 'chatcmpl-"quoted"\u2028', created: 0, model: 'm\\odel', includeUsage: true },
];

function factoryChunks(includeUsage: boolean): ChatCompletionChunk[] {
  const context = contexts[includeUsage ? 1 : 0];
  assert.ok(context !== undefined);
  const factory = createChunkFactory(context, { id: 'chatcmpl-upstream' });
  return [
    factory.role(),
    factory.delta({ content: 'Hello "world"\n\u0000' }),
    factory.delta({ content: null, refusal: 'no' }),
    factory.delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"a":1}' } }] }),
    factory.finish('tool_calls'),
    factory.finish('stop'),
    factory.usage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
  ];
}

test('every factory chunk serialises to exactly JSON.stringify, with and without usage, alone or after the chunks before it', () => {
  for (const includeUsage of [false, true]) {
    const serialize = createChunkSerializer();
    const writeSse = createSseChunkWriter();
    for (const chunk of factoryChunks(includeUsage)) {
      assert.equal(chunkJson(chunk), JSON.stringify(chunk));
      assert.equal(serialize(chunk), JSON.stringify(chunk));
      assert.equal(sseChunk(chunk), `data: ${JSON.stringify(chunk)}\n\n`);
      assert.equal(writeSse(chunk), `data: ${JSON.stringify(chunk)}\n\n`);
    }
  }
});

test('a chunk changed after the factory made it is serialised as it is now', () => {
  const [role, delta] = factoryChunks(false);
  assert.ok(role !== undefined && delta !== undefined);
  // The chunk type is read-only; this test plays a careless caller that writes anyway.
  const mutable = delta as unknown as { id: string; system_fingerprint?: string };
  mutable.id = 'chatcmpl-other';
  assert.equal(chunkJson(delta), JSON.stringify(delta));
  mutable.id = 'chatcmpl-upstream';
  mutable.system_fingerprint = 'fp_1';
  assert.equal(chunkJson(delta), JSON.stringify(delta));
  const choice = (role as unknown as { choices: Record<string, unknown>[] }).choices[0];
  assert.ok(choice !== undefined);
  choice['extra'] = true;
  assert.equal(chunkJson(role), JSON.stringify(role));
});

test('chunks the engine rebuilds (continuation, usage filter) serialise exactly too', () => {
  const relay = { ...createRelayState(true), id: 'chatcmpl-first', created: 5 };
  for (const chunk of factoryChunks(true)) {
    const continued = continuationChunk(chunk, relay);
    if (continued !== undefined) assert.equal(chunkJson(continued), JSON.stringify(continued));
    const filtered = filterUsage(chunk, false);
    if (filtered !== undefined) assert.equal(chunkJson(filtered), JSON.stringify(filtered));
  }
});

test('a stream serializer never reuses a head that does not match the chunk (id, created, model or usage differs)', () => {
  const serialize = createChunkSerializer();
  const base: ChatCompletionChunk = { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'x' }, logprobs: null, finish_reason: null }] };
  const variants: ChatCompletionChunk[] = [
    base,
    { ...base, id: 'b' },
    { ...base, id: 'b', created: 2 },
    { ...base, id: 'b', created: 2, model: 'n' },
    { ...base, id: 'b', created: 2, model: 'n', usage: null },
    { ...base, id: 'b', created: 2, model: 'n' },
    base,
  ];
  for (const chunk of variants) assert.equal(serialize(chunk), JSON.stringify(chunk));
});

test('chunks of another shape are serialised whole: key order, extra or missing keys, usage object, several choices, odd values', () => {
  const serialize = createChunkSerializer();
  const choice = { index: 0, delta: { content: 'x' }, logprobs: null, finish_reason: null };
  const odd: unknown[] = [
    { object: 'chat.completion.chunk', id: 'a', created: 1, model: 'm', choices: [choice] },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice], system_fingerprint: 'fp' },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice], usage: null, extra: 1 },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm' },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice, { ...choice, index: 1 }] },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ delta: { content: 'x' }, index: 0, logprobs: null, finish_reason: null }] },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ ...choice, finish_reason: undefined }] },
    { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ ...choice, logprobs: { content: [] } }] },
    { id: undefined, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice] },
    { id: 'a', object: 'chat.completion.chunk', created: Number.NaN, model: 'm', choices: [choice] },
    { id: 'a', object: 'other', created: 1, model: 'm', choices: [choice] },
    Object.assign(Object.create({ inherited: true }) as object, { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice] }),
  ];
  for (const chunk of odd) assert.equal(serialize(chunk as ChatCompletionChunk), JSON.stringify(chunk), JSON.stringify(chunk));
});

describe('OpenAI\'s service_tier and system_fingerprint in the head (relayed by the OpenAI-compatible family)', () => {
  const HEADS = [{ serviceTier: 'default', systemFingerprint: 'fp_560af6e559' }, { systemFingerprint: 'fp_"q"\u2028' }, { serviceTier: 'flex' }];
  const headedChunks = (includeUsage: boolean, head: (typeof HEADS)[number]): ChatCompletionChunk[] => {
    const factory = createChunkFactory({ completionId: 'chatcmpl-1', created: 1_700_000_000, model: 'gpt-4o-mini', includeUsage }, { id: 'chatcmpl-upstream', ...head });
    return [factory.role(), factory.delta({ content: 'Hello' }), factory.delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get', arguments: '' } }] }), factory.finish('stop'), factory.usage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })];
  };

  test('factory chunks carrying them serialise to exactly JSON.stringify, through one stream serializer too', () => {
    for (const includeUsage of [false, true]) {
      const serialize = createChunkSerializer();
      for (const head of HEADS) {
        for (const chunk of headedChunks(includeUsage, head)) {
          assert.equal(chunkJson(chunk), JSON.stringify(chunk));
          assert.equal(serialize(chunk), JSON.stringify(chunk));
        }
      }
    }
  });

  test('such a chunk is still written as the shared head plus its delta: the whole chunk never goes through JSON.stringify', () => {
    const chunks = HEADS.flatMap((head) => headedChunks(true, head).slice(0, -1)); // the usage chunk is serialised whole by design
    const original = JSON.stringify;
    const whole: unknown[] = [];
    JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
      if (chunks.includes(args[0] as ChatCompletionChunk)) whole.push(args[0]);
      return original(...args);
    }) as typeof JSON.stringify;
    try {
      const serialize = createChunkSerializer();
      for (const chunk of chunks) serialize(chunk);
    } finally {
      JSON.stringify = original;
    }
    assert.equal(whole.length, 0);
  });

  test('odd head values or places are serialised whole, and a head is never reused across a different tier or fingerprint', () => {
    const serialize = createChunkSerializer();
    const choice = { index: 0, delta: { content: 'x' }, logprobs: null, finish_reason: null };
    const chunks: unknown[] = [
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 'default', system_fingerprint: 'fp', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 'flex', system_fingerprint: 'fp', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 'flex', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 'flex', system_fingerprint: 'fp2', choices: [choice], usage: null },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: null, system_fingerprint: 'fp', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: undefined, system_fingerprint: 'fp', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 3, choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', system_fingerprint: 'fp', service_tier: 'default', choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice], service_tier: 'default' },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', service_tier: 'default', service_tier_extra: 1, choices: [choice] },
      { id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice] },
    ];
    for (const chunk of chunks) assert.equal(serialize(chunk as ChatCompletionChunk), JSON.stringify(chunk), JSON.stringify(chunk));
  });
});
