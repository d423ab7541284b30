/**
 * Design §3.8 and §5: usage is the answering model's own count, and quotas are settled with it. When a
 * provider's answer carries no usage (a Bedrock stream that ends after messageStop without its
 * metadata event, an OpenAI-compatible body without `usage`, …), every adapter leaves it unknown:
 * no usage in the parse result or in any stream step (so the engine keeps the quota reservation and
 * neither the audit record nor aigw_tokens_total counts a 0), no `usage` field in the completion, and
 * no usage chunk even when the client asked for one — never a made-up 0/0/0.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeEventStreamFrames, type EventStreamEvent } from '../../../runtime/adapters/bedrock/event-stream.js';
import type { ProviderType } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { CONTEXT, runStream } from './native-adapter-harness.js';

const encoder = new TextEncoder();
const sse = (...events: readonly (readonly [string | undefined, unknown])[]): Uint8Array[] =>
  events.map(([name, data]) => encoder.encode(`${name === undefined ? '' : `event: ${name}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`));
const ndjson = (...lines: readonly unknown[]): Uint8Array[] => lines.map((line) => encoder.encode(`${JSON.stringify(line)}\n`));
const frame = (type: string, payload: unknown): EventStreamEvent => ({ headers: { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload });

interface Case {
  readonly provider: ProviderType;
  /** A complete non-stream answer whose provider reported no usage. */
  readonly body: unknown;
  /** A complete stream (finish included) whose provider reported no usage. */
  readonly stream: readonly Uint8Array[];
}

const CASES: readonly Case[] = [
  {
    provider: 'openai',
    body: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }] },
    stream: sse(
      [undefined, { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }],
      [undefined, { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }],
      [undefined, { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
      [undefined, '[DONE]'],
    ),
  },
  {
    provider: 'anthropic',
    body: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn' },
    stream: sse(
      ['message_start', { type: 'message_start', message: { id: 'msg_1', model: 'claude', content: [] } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' } }],
      ['message_stop', { type: 'message_stop' }],
    ),
  },
  {
    // The review's finding: `metadata`, the event carrying the usage, never comes after messageStop.
    provider: 'bedrock',
    body: { output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } }, stopReason: 'end_turn' },
    stream: encodeEventStreamFrames([
      frame('messageStart', { role: 'assistant' }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
      frame('messageStop', { stopReason: 'end_turn' }),
    ]),
  },
  {
    provider: 'gemini',
    body: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] },
    stream: sse([undefined, { candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] }]),
  },
  {
    provider: 'cohere',
    body: { id: 'c1', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] } },
    stream: sse(
      ['message-start', { type: 'message-start', id: 'c1' }],
      ['content-delta', { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hi' } } } }],
      ['message-end', { type: 'message-end', delta: { finish_reason: 'COMPLETE' } }],
    ),
  },
  {
    provider: 'ollama',
    body: { model: 'llama3.1', message: { role: 'assistant', content: 'Hi' }, done: true, done_reason: 'stop' },
    stream: ndjson(
      { model: 'llama3.1', message: { role: 'assistant', content: 'Hi' }, done: false },
      { model: 'llama3.1', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' },
    ),
  },
];

describe('an answer whose provider reported no usage keeps its usage unknown, never 0', () => {
  for (const { provider, body, stream } of CASES) {
    test(`${provider}: non-stream — no usage in the result, no usage field in the completion`, () => {
      const parsed = getAdapter(provider).parseResponse(200, {}, JSON.stringify(body), CONTEXT);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.envelope.error.message);
      assert.equal(parsed.completion.choices[0]?.message.content, 'Hi');
      assert.equal('usage' in parsed, false, `usage ${JSON.stringify(parsed.usage)}`);
      assert.equal('usage' in parsed.completion, false, `completion.usage ${JSON.stringify(parsed.completion.usage)}`);
    });

    test(`${provider}: stream — complete, no step reports usage, no usage chunk even with include_usage`, () => {
      const run = runStream(getAdapter(provider), CONTEXT, stream);
      assert.equal(run.error, undefined, run.error?.envelope.error.message);
      assert.equal(run.done, true);
      assert.equal(run.chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'Hi');
      assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'stop', 'the finish chunk ends the stream');
      assert.equal(run.usage, undefined, `usage ${JSON.stringify(run.usage)}`);
      assert.equal(run.chunks.some((chunk) => chunk.choices.length === 0 || (chunk.usage !== undefined && chunk.usage !== null)), false, 'no usage chunk');
    });
  }
});
