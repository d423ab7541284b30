/**
 * One stream event (SSE) or line (NDJSON) larger than the decoders keep (8 MiB) ends the stream as a
 * failed one: a step with an error, which the engine fails over, continues or ends in-band. The
 * parser used to stop for good and throw on every later read, which escaped the translator: a 500
 * before content, and after it a client stream left open for ever.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { MAX_STREAM_UNIT_BYTES } from '../../../runtime/adapters/oversize-unit.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { CONTEXT } from './native-adapter-harness.js';

const encoder = new TextEncoder();

test('every stream translator turns an oversize event into a failed step, and reads nothing after it', () => {
  const big = 'x'.repeat(1024 * 1024);
  for (const type of PROVIDER_TYPES) {
    if (type === 'bedrock') continue; // AWS event-stream frames carry their length: refused by the framer (bedrock tests)
    const translator = getAdapter(type).createStreamTranslator(CONTEXT);
    // An event that never ends: `data: xxxx…` with no newline, past the bound.
    let failed: unknown;
    assert.doesNotThrow(() => {
      translator.push(encoder.encode(type === 'ollama' ? '{"message":{"content":"' : 'data: {"choices":[{"delta":{"content":"'));
      for (let sent = 0; sent <= MAX_STREAM_UNIT_BYTES && failed === undefined; sent += big.length) failed = translator.push(encoder.encode(big)).error;
    }, type);
    assert.ok(failed !== undefined, `${type}: a failed step`);
    assert.match((failed as { envelope: { error: { message: string } } }).envelope.error.message, /larger than 8 MiB/, type);
    // Failed over, never retried on the same target (it would send, and bill, the same event).
    assert.equal((failed as { retry?: boolean }).retry, false, type);
    assert.doesNotThrow(() => translator.push(encoder.encode('data: {}\n\n')), `${type}: later bytes are ignored`);
    assert.doesNotThrow(() => translator.end(), `${type}: the end is quiet`);
  }
});
