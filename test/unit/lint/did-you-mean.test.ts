import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestMatch, createSuggester, didYouMean, editDistance } from '../../../runtime/lint/did-you-mean.js';

test('edit distance counts an adjacent swap as one edit', () => {
  assert.equal(editDistance('wieght', 'weight'), 1);
  assert.equal(editDistance('anthropik', 'anthropic'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

test('suggestions are the closest candidate, a prefix match, or nothing', () => {
  assert.equal(closestMatch('opnai', ['openai', 'ollama']), 'openai');
  assert.equal(closestMatch('OpenAI', ['openai']), 'openai');
  assert.equal(closestMatch('timeout', ['timeout_ms', 'targets']), 'timeout_ms');
  assert.equal(closestMatch('zzzzzz', ['openai']), undefined);
  assert.equal(didYouMean('gemni', ['gemini']), 'did you mean "gemini"? ');
  assert.equal(didYouMean('x', ['gemini']), '');
});

test('a suggester stops suggesting after its first findings, and long words get none', () => {
  const suggest = createSuggester(['chat']);
  const hints = Array.from({ length: 30 }, () => suggest('chta'));
  assert.equal(hints.filter((hint) => hint !== '').length, 20);
  assert.equal(closestMatch('x'.repeat(100), ['x'.repeat(99)]), undefined);
});
