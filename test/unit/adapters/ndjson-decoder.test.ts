/** NDJSON (Ollama) decoding: whole lines out at any byte split, blank lines skipped, the last line flushed by end(). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNdjsonDecoder } from '../../../runtime/adapters/ndjson-decoder.js';
import { byteSplits } from '../../helpers/byte-splits.js';

const long = `{"message":{"content":"${'é—'.repeat(5_000)}"}}`;
const text = `{"a":1}\r\n\n{"b":"ü€"}\n${long}\n{"done":true}`;

for (const { name, parts } of byteSplits(new TextEncoder().encode(text))) {
  test(`lines survive ${name}: CRLF and blank lines trimmed, the unterminated last line comes from end()`, () => {
    const decoder = createNdjsonDecoder();
    const lines = parts.flatMap((part) => decoder.push(part));
    assert.deepEqual(lines, ['{"a":1}', '{"b":"ü€"}', long]);
    assert.deepEqual(decoder.end(), ['{"done":true}']);
    assert.deepEqual(decoder.end(), [], 'end() flushes once');
  });
}

test('several lines in one push come out in order; a push without a newline yields nothing yet', () => {
  const decoder = createNdjsonDecoder();
  const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
  assert.deepEqual(decoder.push(encode('{"x":1}\n{"x":2}\n{"x"')), ['{"x":1}', '{"x":2}']);
  assert.deepEqual(decoder.push(encode(':3')), []);
  assert.deepEqual(decoder.push(encode('}\n')), ['{"x":3}']);
  assert.deepEqual(decoder.end(), []);
});
