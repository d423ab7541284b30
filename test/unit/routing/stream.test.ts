/** Stream rules of design §3.6 through the real engine on the manual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderAdapter } from '../../../runtime/adapters/contract.js';
import type { Route } from '../../../runtime/manifest/types.js';
import { failoverReasons } from '../../../runtime/routing/classify-outcome.js';
import { continuationRequest, createRelayState, noteSent } from '../../../runtime/routing/continuation.js';
import { planAttempts } from '../../../runtime/routing/plan-attempts.js';
import { mayContinueStreams } from '../../../runtime/routing/try-candidate.js';
import type { ChatCompletionChunk } from '../../../runtime/openai/wire.js';
import { createFakeAdapter, entry, manifest, recordingSink, route, STREAM, STREAM_WITH_USAGE, target, textStream } from './fakes.js';
import { harness } from './harness.js';

// anthropic and ollama fakes support prefill; openai does not (as their real adapters).
const providers = [entry('anthropic', 'anthropic'), entry('openai', 'openai'), entry('ollama', 'ollama')];
const seedRoute = (extra: Parameters<typeof route>[1] = {}) => route([
  target('openai', 'gpt-4o-mini', 60, { maxLatencyMs: 800 }),
  target('anthropic', 'claude-haiku-4-5', 40, { maxLatencyMs: 800 }),
], { fallback: target('ollama', 'llama-3.1', 0), ...extra });

test('a stream is relayed as it comes: start before the first content, one role chunk, finish, end; no usage chunk unless asked', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['Hel', 'lo']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'success');
  assert.deepEqual(sink.events, ['start openai/gpt-4o-mini', 'chunk', 'chunk', 'chunk', 'chunk', 'end']);
  assert.equal(sink.text(), 'Hello');
  assert.equal(sink.chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined).length, 1);
  assert.equal(sink.chunks.filter((chunk) => chunk.choices.length === 0).length, 0, 'no usage chunk');
  assert.equal(sink.chunks.some((chunk) => 'usage' in chunk), false);
  assert.deepEqual(result.usage, { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 }, 'the engine knows the usage anyway');
  assert.equal(result.timeToFirstByteMs, 10);
  assert.equal(result.attempts[0]?.firstContentMs, 10);
});

test('the result names the model the provider named in its chunks', async () => {
  const base = createFakeAdapter('openai');
  const renaming: ProviderAdapter = {
    ...base,
    createStreamTranslator: (context) => base.createStreamTranslator({ ...context, model: 'gpt-4o-mini-2024-07-18' }),
  };
  const h = harness({ manifest: manifest([seedRoute()], providers), adapters: { openai: renaming }, script: { openai: textStream(['Hi']) } });
  const result = await h.run(STREAM, { sink: recordingSink() });
  assert.equal(result.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(result.attempts[0]?.model, 'gpt-4o-mini', 'the attempt keeps the configured target model');
});

test('the usage chunk reaches the client when it asked for it', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['Hi']) } });
  const sink = recordingSink();
  await h.run(STREAM_WITH_USAGE, { sink });
  const usageChunks = sink.chunks.filter((chunk) => chunk.choices.length === 0);
  assert.equal(usageChunks.length, 1);
  assert.deepEqual(usageChunks[0]?.usage, { prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 });
  assert.equal(sink.chunks.at(-1), usageChunks[0], 'usage comes last');
});

test('usage is stripped from the client stream when not requested, even if an adapter leaks it', async () => {
  const base = createFakeAdapter('openai');
  const leaky: ProviderAdapter = {
    ...base,
    // Ignores includeUsage: emits the usage chunk and `usage: null` on every chunk.
    createStreamTranslator: (context) => base.createStreamTranslator({ ...context, includeUsage: true }),
  };
  const h = harness({ manifest: manifest([seedRoute()], providers), adapters: { openai: leaky }, script: { openai: textStream(['Hi']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.chunks.filter((chunk) => chunk.choices.length === 0).length, 0);
  assert.equal(sink.chunks.some((chunk) => 'usage' in chunk), false);
  assert.equal(result.usage?.total_tokens, 8);
});

test('a stream failing before its first content is an ordinary failover: nothing of it reaches the client', async () => {
  // A role-only start (no content) then a reset: the role chunk must not leak.
  const broken = { kind: 'stream', lines: [{ at: 5, line: JSON.stringify({ finish: undefined }) }], then: 'reset' } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: broken, anthropic: textStream(['Hi']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.provider, 'anthropic');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['openai', 'stream_error', 'failover'],
    ['anthropic', null, 'success'],
  ]);
  assert.equal(sink.events[0], 'start anthropic/claude-haiku-4-5');
  assert.equal(sink.chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined).length, 1);
});

test('the latency budget is met by first content, not by a role chunk', async () => {
  const slowContent = { kind: 'stream', lines: [{ at: 10, line: '{}' }, { at: 900, line: JSON.stringify({ t: 'late' }) }] } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: slowContent, anthropic: textStream(['Hi']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.durationMs]), [['openai', 'latency', 800], ['anthropic', null, 30]]);
});

test('a stream cut after N chunks continues on the next prefill-capable target: one seamless stream', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    openai: textStream(['The ', 'quick '], { finish: false, done: false, then: 'reset' }),
    anthropic: textStream(['brown ', 'fox.']),
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM_WITH_USAGE, { sink });
  assert.equal(result.outcome, 'success');
  assert.equal(sink.text(), 'The quick brown fox.');
  assert.equal(h.transport.calls[1]?.body['prefill'], 'The quick ', 'the text sent so far is the prefill');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['openai', 'stream_error', 'continued'],
    ['anthropic', null, 'success'],
  ]);
  assert.equal(new Set(sink.chunks.map((chunk) => chunk.id)).size, 1, 'one id');
  assert.equal(new Set(sink.chunks.map((chunk) => chunk.created)).size, 1);
  assert.equal(sink.chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined).length, 1, 'one role chunk');
  assert.equal(sink.chunks.filter((chunk) => chunk.choices[0]?.finish_reason != null).length, 1, 'one finish chunk');
  assert.equal(sink.chunks.filter((chunk) => chunk.choices.length === 0).length, 1, 'one usage chunk');
  assert.equal(sink.events.filter((event) => event.startsWith('start')).length, 1);
  assert.equal(sink.events.at(-1), 'end');
  assert.equal(result.provider, 'anthropic', 'the model that finished the answer');
});

test('a continuation never waits out a Retry-After longer than the stall limit: it fails over to the next candidate at once', async () => {
  const retrying = { ...seedRoute({ streamIdleTimeoutMs: 1500 }), retry: { attempts: 3, backoffMs: 100, maxRetryAfterMs: 10_000 } };
  const h = harness({ manifest: manifest([retrying], providers), script: {
    openai: textStream(['Hi '], { finish: false, done: false, then: 'reset' }),
    anthropic: [{ kind: 'json', status: 429, headers: { 'retry-after': '4' } }, textStream(['late'])],
    ollama: textStream(['there']),
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'Hi there');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.outcome, record.reason]), [
    ['openai', 'continued', 'stream_error'],
    ['anthropic', 'failover', 'rate_limited'],
    ['ollama', 'success', null],
  ]);
  assert.match(result.attempts[1]?.detail ?? '', /does not fit in stream_idle_timeout_ms/);
  // A short wait still fits and is still taken.
  const short = harness({ manifest: manifest([retrying], providers), script: {
    openai: textStream(['Hi '], { finish: false, done: false, then: 'reset' }),
    anthropic: [{ kind: 'json', status: 429, headers: { 'retry-after': '1' } }, textStream(['there'])],
  } });
  const shortSink = recordingSink();
  const shortResult = await short.run(STREAM, { sink: shortSink });
  assert.equal(shortSink.text(), 'Hi there');
  assert.deepEqual(shortResult.attempts.map((record) => record.outcome), ['continued', 'retry', 'success']);
});

test('a continuation asks for what is left of the client\'s max_tokens (the text sent counts), so the joined answer stays within it', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    openai: textStream(['The ', 'quick '], { finish: false, done: false, then: 'reset' }),
    anthropic: textStream(['brown ']),
  } });
  const result = await h.run({ ...STREAM, max_tokens: 5 }, { sink: recordingSink() });
  assert.equal(result.outcome, 'success');
  assert.equal(h.transport.calls[0]?.body['max_tokens'], 5);
  // "The quick " is 10 characters: 3 tokens by the quota estimate's 4 characters per token.
  assert.equal(h.transport.calls[1]?.body['max_tokens'], 2);
  assert.deepEqual(continuationRequest({ ...STREAM, max_tokens: 5, max_completion_tokens: 40 }, 'x'.repeat(100)), { ...STREAM, max_tokens: 1, max_completion_tokens: 15 });
  const { max_tokens: _limit, ...unlimited } = STREAM;
  assert.equal(continuationRequest(unlimited, 'x'.repeat(100)), unlimited, 'a limit the client did not set stays unset');
});

test('the seam: whitespace the client already has is not sent twice when the continuation starts with it (Anthropic trims it off the prefill)', async () => {
  // "One two " is cut; anthropic continues with `continuation`: what does the client read?
  const joined = async (continuation: readonly string[]): Promise<string> => {
    const h = harness({ manifest: manifest([seedRoute()], providers), script: {
      openai: textStream(['One ', 'two '], { finish: false, done: false, then: 'reset' }),
      anthropic: textStream(continuation),
    } });
    const sink = recordingSink();
    await h.run(STREAM, { sink });
    return sink.text();
  };
  assert.equal(await joined([' three', ' four.']), 'One two three four.');
  // Not whitespace the client has: kept (a new paragraph after a space stays a new paragraph).
  assert.equal(await joined(['\n\nThree.']), 'One two \n\nThree.');
  // A continuation that does not repeat the space: nothing is taken from it.
  assert.equal(await joined(['three.']), 'One two three.');
});

test('a continuation skips candidates that cannot take a prefill', async () => {
  const noPrefill = [entry('anthropic', 'anthropic', { prefill: false }), entry('openai', 'openai'), entry('ollama', 'ollama')];
  const h = harness({ manifest: manifest([seedRoute()], noPrefill), script: {
    openai: textStream(['a'], { finish: false, done: false, then: 'reset' }),
    ollama: textStream(['b']),
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'ab');
  assert.deepEqual(result.attempts.map((record) => record.provider), ['openai', 'ollama']);
});

test('with no candidate able to continue, the stream ends with an in-band error event, never a silent truncation', async () => {
  const noPrefill = route([target('anthropic', 'claude-haiku-4-5', 1), target('openai', 'gpt-4o-mini', 1)]);
  const h = harness({ manifest: manifest([noPrefill], providers), script: { anthropic: textStream(['a', 'b'], { finish: false, done: false, then: 'reset' }) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'interrupted');
  assert.equal(result.status, 200);
  assert.equal(result.error?.code, 'AIGW_E_STREAM_INTERRUPTED');
  assert.equal(sink.events.at(-1), 'error stream_interrupted: The stream was interrupted after 3 chunks: anthropic/claude-haiku-4-5: 200 stream_error (body broke: UND_ERR_SOCKET).');
  assert.equal(sink.events.includes('end'), false);
  assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['stream_error', 'returned']]);
});

test('stream_failover: error ends a broken stream with the error event even when a candidate could continue', async () => {
  const h = harness({ manifest: manifest([seedRoute({ streamFailover: 'error' })], providers), script: { openai: textStream(['a'], { finish: false, done: false, then: 'reset' }) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'interrupted');
  assert.equal(h.transport.calls.length, 1);
});

test('a prefill rejection never masks the original failure in the error the client sees', async () => {
  const h = harness({ manifest: manifest([seedRoute({ fallback: undefined })], providers), script: {
    openai: textStream(['a'], { finish: false, done: false, then: 'reset' }),
    anthropic: { kind: 'json', status: 400, body: JSON.stringify({ code: 'invalid_prefill' }) },
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'interrupted');
  const message = result.error?.envelope.error.message ?? '';
  assert.match(message, /^The stream was interrupted after 2 chunks: openai\/gpt-4o-mini: 200 stream_error/);
  assert.match(message, /continuation failed: anthropic\/claude-haiku-4-5: 400 client_error/);
  assert.equal(result.error?.envelope.error.code, 'stream_interrupted');
});

test('a broken tool-call stream is never continued: it ends with the error event', async () => {
  const toolStream = { kind: 'stream', lines: [{ at: 10, line: JSON.stringify({ call: 'get_weather' }) }], then: 'reset' } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: toolStream } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'interrupted');
  assert.equal(h.transport.calls.length, 1);
});

test('a stall (no chunk for stream_idle_timeout_ms) after content counts as a broken stream and is continued', async () => {
  const stalled = seedRoute({ streamIdleTimeoutMs: 2000 });
  const h = harness({ manifest: manifest([stalled], providers), script: {
    openai: textStream(['a'], { finish: false, done: false, then: 'hang' }),
    anthropic: textStream(['b']),
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'ab');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.detail, record.durationMs]), [
    ['openai', 'stream_error', 'no chunk for 2000 ms', 2010],
    ['anthropic', null, undefined, 30],
  ]);
  assert.equal(h.transport.calls[0]?.aborted, true);
});

test('keep-alive bytes that carry no chunk (comments, pings, skipped events) do not hold off the stall: it fires stream_idle_timeout_ms after the last chunk', async () => {
  const pinging = { kind: 'stream', lines: [
    { at: 10, line: JSON.stringify({ t: 'a' }) },
    // A keep-alive every 300 ms for 6 s: bytes, but nothing the client would get.
    ...Array.from({ length: 20 }, (_, index) => ({ at: 310 + index * 300, line: '{keep-alive' })),
  ], then: 'hang' } as const;
  const h = harness({ manifest: manifest([seedRoute({ streamIdleTimeoutMs: 1000 })], providers), script: { openai: pinging, anthropic: textStream(['b']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'ab');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.detail]), [
    ['openai', 'stream_error', 'no chunk for 1000 ms'],
    ['anthropic', null, undefined],
  ]);
  assert.ok((result.attempts[0]?.durationMs ?? Infinity) <= 1100, `stalled after ${String(result.attempts[0]?.durationMs)} ms, not after the pings stopped`);
});

test('a slow client is not a stall: time spent waiting for the sink does not count', async () => {
  const h = harness({ manifest: manifest([seedRoute({ streamIdleTimeoutMs: 100 })], providers), script: { openai: textStream(['a', 'b', 'c']) } });
  const sink = recordingSink();
  const slowSink = { ...sink, write: async (chunk: Parameters<typeof sink.write>[0]) => { await h.clock.sleep(500); sink.write(chunk); } };
  const result = await h.run(STREAM, { sink: slowSink });
  assert.equal(result.outcome, 'success');
  assert.equal(sink.text(), 'abc');
});

test('malformed upstream events are skipped and counted, never forwarded', async () => {
  const noisy = { kind: 'stream', lines: [
    { at: 10, line: JSON.stringify({ t: 'a' }) }, { at: 20, line: '{not json' }, { at: 30, line: JSON.stringify({ t: 'b' }) },
    { at: 40, line: JSON.stringify({ finish: 'stop', usage: [1, 2] }) }, { at: 50, line: '[DONE]' },
  ] } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: noisy } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'ab');
  assert.equal(result.malformed, 1);
  assert.equal(result.attempts[0]?.malformed, 1);
});

test('a stream that ends without its terminator but complete is finalised at once, with usage', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['a'], { done: false }) } });
  const sink = recordingSink();
  const result = await h.run(STREAM_WITH_USAGE, { sink });
  assert.equal(result.outcome, 'success');
  assert.equal(sink.events.at(-1), 'end');
  assert.equal(sink.chunks.at(-1)?.usage?.total_tokens, 8);
});

test('a complete stream whose provider never reported usage: no usage chunk even when asked, and no usage in the result (never 0)', async () => {
  const unreported = { kind: 'stream', lines: [
    { at: 10, line: JSON.stringify({ t: 'a' }) }, { at: 20, line: JSON.stringify({ finish: 'stop' }) }, { at: 30, line: '[DONE]' },
  ] } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: unreported } });
  const sink = recordingSink();
  const result = await h.run(STREAM_WITH_USAGE, { sink });
  assert.equal(result.outcome, 'success');
  assert.equal(sink.events.at(-1), 'end');
  assert.equal(sink.chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  assert.equal(sink.chunks.some((chunk) => chunk.choices.length === 0 || (chunk.usage !== undefined && chunk.usage !== null)), false);
  assert.equal(result.usage, undefined);
  assert.equal(result.attempts[0]?.usage, undefined);
});

test('a streamed request whose prompt no candidate takes gets the provider\'s 400 before any byte, not a 502', async () => {
  const tooLong = { kind: 'json', status: 400, body: JSON.stringify({ code: 'context_length_exceeded' }) } as const;
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: tooLong, anthropic: tooLong, ollama: tooLong } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.deepEqual(sink.events, [], 'the stream never opened: the runtime answers with an HTTP error');
  assert.equal(result.outcome, 'error');
  assert.equal(result.status, 400);
  assert.equal(result.error?.envelope.error.code, 'context_length_exceeded');
  assert.deepEqual(result.attempts.map((record) => record.reason), ['context_length', 'context_length', 'context_length']);
});

test('a stream that ends truncated (no finish, no terminator) is a broken stream', async () => {
  const h = harness({ manifest: manifest([seedRoute({ streamFailover: 'error' })], providers), script: { openai: textStream(['a'], { finish: false, done: false }) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'interrupted');
  assert.match(sink.events.at(-1) ?? '', /^error stream_interrupted/);
});

test('a stream whose body ends before any content (200, then nothing): a stream_error failover, not a 5xx retried on the same target', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: {
    openai: textStream([], { finish: false, done: false }),
    anthropic: textStream(['b']),
  } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(sink.text(), 'b');
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.outcome, record.reason, record.status]), [
    ['openai', 'failover', 'stream_error', 200],
    ['anthropic', 'success', null, 200],
  ]);
  assert.equal(h.transport.calls.filter((call) => call.provider === 'openai').length, 1, 'no retry on the same target');
});

test('an in-band provider error before content fails over like an HTTP error', async () => {
  const overloaded = { kind: 'stream', lines: [{ at: 5, line: JSON.stringify({ error: 529 }) }] } as const;
  const h = harness({ manifest: manifest([seedRoute({ retry: { attempts: 0, backoffMs: 250, maxRetryAfterMs: 5000 } })], providers), script: { openai: overloaded, anthropic: textStream(['ok']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.status]), [['openai', 'retryable_5xx', 529], ['anthropic', null, 200]]);
});

test('a client abort mid-stream aborts the upstream read and ends the run without an error event', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['a', 'b', 'c'], { every: 100 }) } });
  const sink = recordingSink();
  const controller = new AbortController();
  const pending = h.start(STREAM, { sink, signal: controller.signal });
  await h.clock.advance(150);
  controller.abort();
  const result = await pending;
  assert.equal(result.outcome, 'aborted');
  assert.equal(h.transport.calls[0]?.aborted, true);
  assert.equal(sink.events.some((event) => event.startsWith('error') || event === 'end'), false);
});

test('timeout_ms stops applying once the stream has started', async () => {
  const h = harness({ manifest: manifest([seedRoute({ timeoutMs: 100 })], providers), script: { openai: textStream(['a', 'b', 'c'], { every: 60 }) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink });
  assert.equal(result.outcome, 'success');
  assert.equal(result.durationMs, 300);
});

test('a sink that throws (the client is gone) ends the run as aborted and releases the upstream call', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['a', 'b', 'c'], { every: 100 }) } });
  const sink = recordingSink();
  let writes = 0;
  const result = await h.run(STREAM, { sink: { ...sink, write: (chunk) => { writes += 1; if (writes === 2) throw new Error('socket closed'); sink.write(chunk); } } });
  assert.equal(result.outcome, 'aborted');
  assert.equal(h.transport.calls.length, 1, 'no failover for a client that left');
  assert.equal(h.transport.calls[0]?.aborted, true);
});

test('a sink whose start rejects ends the run as aborted', async () => {
  const h = harness({ manifest: manifest([seedRoute()], providers), script: { openai: textStream(['a']) } });
  const sink = recordingSink();
  const result = await h.run(STREAM, { sink: { ...sink, start: async () => { throw new Error('gone'); } } });
  assert.equal(result.outcome, 'aborted');
  assert.equal(sink.chunks.length, 0);
});

test('the relayed text (a continuation\'s prefill) is kept only when a continuation could follow', () => {
  const could = (candidateRoute: Route): boolean => mayContinueStreams(
    { input: { route: candidateRoute } as never, failoverOn: failoverReasons(candidateRoute.failoverOn) },
    planAttempts(candidateRoute, { next: () => 0 }),
  );
  assert.equal(could(seedRoute()), true);
  assert.equal(could(route([target('anthropic', 'claude-haiku-4-5', 1)])), false, 'one target, no fallback: nothing could continue');
  assert.equal(could(route([target('anthropic', 'claude-haiku-4-5', 1)], { fallback: target('ollama', 'llama-3.1', 0) })), true);
  assert.equal(could(seedRoute({ streamFailover: 'error' })), false);
  assert.equal(could(seedRoute({ failoverOn: ['5xx', '429'] })), false, 'stream_error is not a failover trigger');

  const chunk = (content: string): ChatCompletionChunk => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] });
  const kept = createRelayState(true);
  const dropped = createRelayState(false);
  for (const piece of ['The ', 'quick ', 'fox']) {
    noteSent(chunk(piece), kept);
    noteSent(chunk(piece), dropped);
  }
  assert.equal(kept.text, 'The quick fox');
  assert.equal(dropped.text, '', 'a stream that cannot be continued holds no copy of its text');
  assert.equal(dropped.chunks, 3, 'the rest of the bookkeeping is unchanged');
});
