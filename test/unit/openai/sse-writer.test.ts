import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIError } from 'openai/error';
import { Stream } from 'openai/streaming';
import { SSE_DONE, sseChunk, sseError, sseErrorTail } from '../../../runtime/openai/sse-writer.js';
import type { ChatCompletionChunk, OpenAIErrorEnvelope } from '../../../runtime/openai/wire.js';

const chunk: ChatCompletionChunk = {
  id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi\nthere' }, logprobs: null, finish_reason: null }],
};
const failure: OpenAIErrorEnvelope = {
  error: { message: 'The upstream stream ended early.', type: 'server_error', param: null, code: 'stream_interrupted' },
};

/** Replays gateway output through openai-node's own SSE reader, as an SDK user would consume it. */
async function readWithSdk(wire: string): Promise<unknown[]> {
  const response = new Response(wire, { headers: { 'content-type': 'text/event-stream' } });
  const stream = Stream.fromSSEResponse<unknown>(response, new AbortController());
  const items: unknown[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

test('a chunk is one data line with a blank-line terminator, newlines in content escaped', () => {
  const text = sseChunk(chunk);
  assert.match(text, /^data: \{.*\}\n\n$/s);
  assert.equal(text.split('\n').length, 3);
  assert.deepEqual(JSON.parse(text.slice('data: '.length)), chunk);
});

test('the terminator is data: [DONE]', () => {
  assert.equal(SSE_DONE, 'data: [DONE]\n\n');
});

test('the openai SDK reads gateway chunks and stops at [DONE]', async () => {
  const items = await readWithSdk(sseChunk(chunk) + SSE_DONE + sseChunk(chunk));
  assert.deepEqual(items, [chunk]);
});

test('the openai SDK throws an APIError carrying the message of the in-band error event', async () => {
  await assert.rejects(readWithSdk(sseChunk(chunk) + sseErrorTail(failure)), (error: unknown) => {
    assert.ok(error instanceof APIError);
    assert.match(error.message, /The upstream stream ended early\./);
    assert.equal(error.code, 'stream_interrupted');
    assert.equal(error.type, 'server_error');
    return true;
  });
});

test('a failed stream ends with the error event and then [DONE], never a bare cut', () => {
  assert.equal(sseErrorTail(failure), `data: ${JSON.stringify(failure)}\n\n${SSE_DONE}`);
  assert.equal(sseError(failure), `data: {"error":{"message":"The upstream stream ended early.","type":"server_error","param":null,"code":"stream_interrupted"}}\n\n`);
});
