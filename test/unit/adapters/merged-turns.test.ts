/**
 * The shared conversation walk (Gemini, Bedrock, Anthropic): consecutive turns of one role merge, and
 * a turn of very many parts merges too (a body of ~150 000 parts is under the body limit).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeTurns } from '../../../runtime/adapters/merged-turns.js';
import type { Message } from '../../../runtime/openai/wire.js';

const toTurn = (message: Exclude<Message, { role: 'system' | 'developer' }>) => ({
  role: message.role === 'assistant' ? 'model' as const : 'user' as const,
  items: typeof message.content === 'string' ? [message.content] : Array.isArray(message.content) ? message.content.map((part) => (part.type === 'text' ? part.text : part.type)) : [],
});

test('consecutive user messages merge into one turn; system texts are gathered apart', () => {
  const merged = mergeTurns([
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'one' },
    { role: 'user', content: 'two' },
    { role: 'assistant', content: 'three' },
  ], toTurn);
  assert.deepEqual(merged.system, ['be brief']);
  assert.deepEqual(merged.turns, [{ role: 'user', items: ['one', 'two'] }, { role: 'model', items: ['three'] }]);
});

test('a second user message of 200 000 parts merges without overflowing the stack', () => {
  const parts = Array.from({ length: 200_000 }, () => ({ type: 'text' as const, text: 'a' }));
  const merged = mergeTurns([{ role: 'user', content: 'hi' }, { role: 'user', content: parts }], toTurn);
  assert.equal(merged.turns.length, 1);
  assert.equal(merged.turns[0]?.items.length, 200_001);
});
