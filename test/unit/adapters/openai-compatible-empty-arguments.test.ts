/**
 * An OpenAI-compatible server's tool call without argument text (a tool without parameters) closes
 * with `{}`, as the other adapters close it: `""` does not parse, and the README promises arguments
 * that do. Arguments that did arrive, on the opening delta or after it, are left as they came.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { CONTEXT, runStream } from './native-adapter-harness.js';

const encoder = new TextEncoder();
const chunk = (delta: unknown, finish: string | null = null) =>
  encoder.encode(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);

/** Each call's joined arguments, by index. */
function joinedArguments(chunks: readonly { choices: readonly { delta: { tool_calls?: readonly { index: number; function?: { arguments?: string } }[] } }[] }[]): string[] {
  const out: string[] = [];
  for (const piece of chunks) for (const call of piece.choices[0]?.delta.tool_calls ?? []) out[call.index] = (out[call.index] ?? '') + (call.function?.arguments ?? '');
  return out;
}

test('streamed: a call without argument text ends with "{}"; one whose arguments came on its opening delta, or later, keeps them', () => {
  const run = runStream(getAdapter('vllm'), CONTEXT, [
    chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'now', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'add', arguments: '{"x":1}' } }] }),
    chunk({ tool_calls: [{ index: 2, id: 'c', type: 'function', function: { name: 'sub', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 2, function: { arguments: '{"y":2}' } }] }),
    chunk({}, 'tool_calls'),
    encoder.encode('data: [DONE]\n\n'),
  ]);
  assert.equal(run.error, undefined);
  const joined = joinedArguments(run.chunks as never);
  assert.deepEqual(joined, ['{}', '{"x":1}', '{"y":2}']);
  for (const text of joined) assert.doesNotThrow(() => JSON.parse(text));
});

test('non-stream: absent, null or empty arguments are "{}"', () => {
  for (const args of [undefined, null, '']) {
    const body = { id: 'c', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'now', ...(args === undefined ? {} : { arguments: args }) } }] }, finish_reason: 'tool_calls' }] };
    const parsed = getAdapter('vllm').parseResponse(200, {}, JSON.stringify(body), CONTEXT);
    assert.ok(parsed.ok);
    assert.equal(parsed.ok && parsed.completion.choices[0]?.message.tool_calls?.[0]?.function.arguments, '{}', String(args));
  }
});
