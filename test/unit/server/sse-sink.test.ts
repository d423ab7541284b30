/**
 * The SSE sink's write batching (issue 8): the chunks of one event-loop turn leave as one write
 * (headers included), later turns are never held back, end()/error() carry what is pending, and a
 * full socket buffer makes the next write return a promise that settles on 'drain'.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { ChatCompletionChunk } from '../../../runtime/openai/wire.js';
import { createSseSink } from '../../../runtime/server/sse-sink.js';

/** The parts of a ServerResponse the sink uses, recording every call. */
class FakeResponse extends EventEmitter {
  readonly writes: string[] = [];
  ended: string | undefined;
  head: { status: number; headers: Record<string, string> } | undefined;
  destroyed = false;
  writableEnded = false;
  /** What write() answers (false = over the high-water mark). */
  accept = true;

  writeHead(status: number, headers: Record<string, string>): this {
    this.head = { status, headers };
    return this;
  }

  write(data: string): boolean {
    this.writes.push(data);
    return this.accept;
  }

  end(data: string): this {
    this.ended = data;
    this.writableEnded = true;
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

function chunk(content: string): ChatCompletionChunk {
  return { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function sink(response: FakeResponse) {
  // The fake implements every member the sink touches.
  return createSseSink(response as unknown as ServerResponse, { headers: () => ({ 'x-request-id': 'r1' }), onStart: () => undefined, collectText: true });
}

test('the chunks of one turn leave in one write after the head; a later turn is written on its own', async () => {
  const response = new FakeResponse();
  const sse = sink(response);
  sse.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  assert.equal(await sse.write(chunk('a')), undefined);
  assert.equal(await sse.write(chunk('b')), undefined);
  assert.deepEqual(response.writes, [], 'nothing is written before the turn ends');
  assert.equal(response.head?.status, 200);
  assert.equal(response.head?.headers['x-request-id'], 'r1');
  await turn();
  assert.equal(response.writes.length, 1);
  assert.match(response.writes[0] ?? '', /^data: \{.*"content":"a".*\}\n\ndata: \{.*"content":"b".*\}\n\n$/s);
  await sse.write(chunk('c'));
  await turn();
  assert.equal(response.writes.length, 2, 'a chunk of a later turn is not held for more');
  assert.equal(sse.state().text, 'abc');
});

test('end() and error() send what is pending together with their tail', async () => {
  const ended = new FakeResponse();
  const first = sink(ended);
  first.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  await first.write(chunk('x'));
  await first.end();
  assert.deepEqual(ended.writes, []);
  assert.match(ended.ended ?? '', /"content":"x".*\n\ndata: \[DONE\]\n\n$/s);
  await turn();
  assert.deepEqual(ended.writes, [], 'the scheduled flush finds nothing left');

  const failed = new FakeResponse();
  const second = sink(failed);
  second.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  await second.write(chunk('y'));
  await second.error({ error: { message: 'cut', type: 'server_error', param: null, code: 'stream_interrupted' } });
  assert.match(failed.ended ?? '', /"content":"y".*\n\ndata: \{"error":\{"message":"cut".*\n\ndata: \[DONE\]\n\n$/s);
});

test('a full socket buffer makes the next write wait for drain', async () => {
  const response = new FakeResponse();
  const sse = sink(response);
  sse.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  response.accept = false;
  await sse.write(chunk('a'));
  await turn();
  const waiting = sse.write(chunk('b'));
  assert.ok(waiting instanceof Promise, 'backpressure: the engine gets a promise');
  let settled = false;
  void waiting.then(() => { settled = true; });
  await turn();
  assert.equal(settled, false);
  response.accept = true;
  response.emit('drain');
  await waiting;
  assert.equal(settled, true);
  assert.equal(sse.write(chunk('c')), undefined, 'no wait once drained');
});

test('a client that leaves a full socket buffer unread past the drain timeout is taken as gone (destroyed: the run sees a disconnect)', async () => {
  const response = new FakeResponse();
  response.accept = false;
  const sse = createSseSink(response as unknown as ServerResponse, { headers: () => ({}), onStart: () => undefined, collectText: false, drainTimeoutMs: 30 });
  sse.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  void sse.write(chunk('a'));
  await turn();
  const waiting = sse.write(chunk('b'));
  assert.ok(waiting instanceof Promise, 'the write waits for drain');
  assert.equal(response.destroyed, false);
  await waiting;
  assert.equal(response.destroyed, true, 'no drain within the timeout: the response is destroyed');
});

test('a client that drains in time is never cut', async () => {
  const response = new FakeResponse();
  response.accept = false;
  const sse = createSseSink(response as unknown as ServerResponse, { headers: () => ({}), onStart: () => undefined, collectText: false, drainTimeoutMs: 50 });
  sse.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  void sse.write(chunk('a'));
  await turn();
  const waiting = sse.write(chunk('b'));
  setTimeout(() => response.emit('drain'), 5);
  await waiting;
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(response.destroyed, false);
});

test('streamed tool calls are captured as name(arguments) after the text, as a non-stream answer records them', async () => {
  const response = new FakeResponse();
  const sse = sink(response);
  sse.start({ route: 'r', provider: 'p', providerType: 'openai', model: 'm' });
  const calls = (toolCalls: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>): ChatCompletionChunk => ({
    id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: toolCalls }, logprobs: null, finish_reason: null }],
  });
  await sse.write(chunk('Checking.'));
  await sse.write(calls([{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }]));
  await sse.write(calls([{ index: 0, function: { arguments: '{"city":' } }]));
  await sse.write(calls([{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }]));
  await sse.write(calls([{ index: 0, function: { arguments: '"Paris"}' } }]));
  assert.equal(sse.state().text, 'Checking.\nget_weather({"city":"Paris"})\nget_time({})');
});
