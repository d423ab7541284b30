/**
 * Response and stream normalisation shared by the OpenAI family: strict OpenAI shapes out, usage only
 * when asked, malformed events skipped and counted, early ends reported, quirks of each provider.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResponseContext } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { CONTEXT, runAllSplits } from './native-adapter-harness.js';

const openai = getAdapter('openai');
const NO_USAGE: ResponseContext = { ...CONTEXT, includeUsage: false };

const data = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
const DONE = 'data: [DONE]\n\n';
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });
const usageChunk = (usage: Record<string, unknown>) => data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage });
const USAGE = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
const TEXT_STREAM = chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hi' }) + chunk({ content: '!' }) + chunk({}, 'stop') + usageChunk(USAGE) + DONE;

describe('streams', () => {
  test('with include_usage the usage chunk comes once, last, and every other chunk carries usage: null', () => {
    const run = runAllSplits(openai, CONTEXT, TEXT_STREAM);
    assert.ok(run.done);
    const last = run.chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.deepEqual(last?.usage, USAGE);
    for (const entry of run.chunks.slice(0, -1)) assert.equal(entry.usage, null);
    assert.deepEqual(run.usage, USAGE);
  });

  test('without include_usage no chunk has a usage key, yet the step still reports usage (quotas, audit)', () => {
    const run = runAllSplits(openai, NO_USAGE, TEXT_STREAM);
    assert.ok(run.done);
    for (const entry of run.chunks) assert.equal('usage' in entry, false);
    assert.ok(run.chunks.every((entry) => entry.choices.length === 1));
    assert.deepEqual(run.usage, USAGE);
  });

  test('chunks keep the provider id and model, take created from the context, and end with an empty-delta finish chunk', () => {
    const run = runAllSplits(openai, NO_USAGE, TEXT_STREAM);
    assert.deepEqual(run.chunks.map((entry) => [entry.id, entry.model, entry.created]), Array(4).fill(['chatcmpl-up', 'up-model', CONTEXT.created]));
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta), [{ role: 'assistant', content: '' }, { content: 'Hi' }, { content: '!' }, {}]);
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
    assert.equal(run.firstContentStep >= 0, true);
    assert.equal(run.firstContentCount, 1);
  });

  test('a malformed data event is skipped and counted, never forwarded', () => {
    const wire = chunk({ role: 'assistant', content: '' }) + 'data: {"id":"chatcmpl-up","choices":[{"delta":{"content":"x"}\n\n' + chunk({ content: 'Hi' }) + 'data: not json at all\n\n' + chunk({}, 'stop') + DONE;
    const run = runAllSplits(openai, NO_USAGE, wire);
    assert.equal(run.malformed, 2);
    assert.equal(run.error, undefined);
    assert.ok(run.done);
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta), [{ role: 'assistant', content: '' }, { content: 'Hi' }, {}]);
  });

  test('a stream that ends after its finish reason but without [DONE] is finalised (done, usage chunk) at end()', () => {
    const run = runAllSplits(openai, CONTEXT, chunk({ role: 'assistant', content: 'Hi' }) + chunk({}, 'stop') + usageChunk(USAGE));
    assert.ok(run.done);
    assert.equal(run.error, undefined);
    assert.deepEqual(run.chunks.at(-1)?.usage, USAGE);
    assert.ok(run.steps.at(-1)?.done, 'the end() step is the one that says done');
  });

  test('a stream cut mid-answer is an error step (retryable, 502, upstream_stream_truncated), never done', () => {
    const run = runAllSplits(openai, CONTEXT, chunk({ role: 'assistant', content: '' }) + chunk({ content: 'Hel' }));
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.error?.status, 502);
    assert.equal(run.error?.envelope.error.code, 'upstream_stream_truncated');
    assert.match(run.error?.envelope.error.message ?? '', /ended before the answer was complete/);
    assert.ok(run.chunks.every((entry) => entry.choices[0]?.finish_reason === null), 'no invented finish reason');
  });

  test('an empty body is an error step too', () => {
    const run = runAllSplits(openai, CONTEXT, '');
    assert.equal(run.error?.envelope.error.code, 'upstream_stream_truncated');
  });

  test('an in-stream error event ends the translation with its translated error; later events are ignored', () => {
    const wire = chunk({ role: 'assistant', content: '' }) + chunk({ content: 'The' })
      + data({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error' } })
      + chunk({ content: 'ignored' }) + DONE;
    const run = runAllSplits(openai, CONTEXT, wire);
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.error?.status, 502);
    assert.match(run.error?.envelope.error.message ?? '', /The server had an error/);
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta.content), ['', 'The']);
  });

  test('openrouter: comment lines are skipped silently and a mid-stream error chunk with finish_reason error becomes an error step', () => {
    const wire = ': OPENROUTER PROCESSING\n\n' + chunk({ role: 'assistant', content: 'Par' }) + ': OPENROUTER PROCESSING\n\n'
      + data({ id: 'gen-1', object: 'chat.completion.chunk', created: 1, model: 'm', provider: 'OpenAI', error: { code: 'server_error', message: 'Provider disconnected unexpectedly' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] });
    const run = runAllSplits(getAdapter('openrouter'), CONTEXT, wire);
    assert.equal(run.malformed, 0);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.match(run.error?.envelope.error.message ?? '', /Provider disconnected unexpectedly/);
  });

  test('a numeric in-stream error code is used as the status (OpenRouter 429 mid-stream)', () => {
    const run = runAllSplits(getAdapter('openrouter'), CONTEXT, chunk({ role: 'assistant', content: 'x' }) + data({ error: { code: 429, message: 'Rate limit exceeded upstream' } }));
    assert.equal(run.error?.status, 429);
    assert.equal(run.error?.failoverClass, 'rate_limited');
  });

  test('a finish_reason "error" (Mistral, OpenRouter) is a stream error, never a clean stop', () => {
    const run = runAllSplits(getAdapter('mistral'), CONTEXT, chunk({ role: 'assistant', content: 'Hel' }) + chunk({ content: '' }, 'error') + DONE);
    assert.equal(run.done, false);
    assert.equal(run.error?.failoverClass, 'retryable_5xx');
    assert.equal(run.rawFinishReason, 'error');
  });

  test('finish reasons map to OpenAI\'s four values; unknown ones become stop with the raw value kept', () => {
    const cases: readonly [string, string][] = [
      ['stop', 'stop'], ['length', 'length'], ['tool_calls', 'tool_calls'], ['content_filter', 'content_filter'],
      ['eos', 'stop'], ['model_length', 'length'], ['function_call', 'tool_calls'], ['insufficient_system_resource', 'length'], ['recitation_weird', 'stop'],
    ];
    for (const [raw, mapped] of cases) {
      const run = runAllSplits(openai, NO_USAGE, chunk({ role: 'assistant', content: 'x' }) + chunk({}, raw) + DONE);
      assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, mapped, raw);
      assert.equal(run.rawFinishReason, raw);
    }
  });

  test('a finish reason on a content chunk is split into the content delta and an empty-delta finish chunk', () => {
    const run = runAllSplits(openai, NO_USAGE, chunk({ role: 'assistant', content: 'Hello' }, 'stop') + DONE);
    assert.deepEqual(run.chunks.map((entry) => [entry.choices[0]?.delta, entry.choices[0]?.finish_reason]), [[{ role: 'assistant', content: 'Hello' }, null], [{}, 'stop']]);
  });

  test('[DONE] without any finish reason closes the stream with a stop chunk', () => {
    const run = runAllSplits(openai, NO_USAGE, chunk({ role: 'assistant', content: 'Hi' }) + DONE);
    assert.ok(run.done);
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  });

  test('role appears on the first chunk only, even when the provider repeats it (Perplexity)', () => {
    const run = runAllSplits(getAdapter('perplexity'), NO_USAGE, chunk({ role: 'assistant', content: 'A' }) + chunk({ role: 'assistant', content: 'B' }) + chunk({ role: 'assistant', content: '' }, 'stop'));
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta), [{ role: 'assistant', content: 'A' }, { content: 'B' }, {}]);
  });

  test('running usage totals on every chunk (Perplexity): the last one wins', () => {
    const wire = chunk({ role: 'assistant', content: 'A' }, null, { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })
      + chunk({ content: 'B' }, 'stop', { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
    const run = runAllSplits(getAdapter('perplexity'), CONTEXT, wire);
    assert.deepEqual(run.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    assert.equal(run.chunks.filter((entry) => entry.choices.length === 0).length, 1, 'one usage chunk');
  });

  test('groq x_groq.usage is read as the usage', () => {
    const run = runAllSplits(getAdapter('groq'), CONTEXT, chunk({ role: 'assistant', content: 'A' }) + chunk({}, 'stop', { x_groq: { id: 'req_1', usage: { queue_time: 0.01, prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } } }) + DONE);
    assert.deepEqual(run.usage, { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 });
  });

  test('azure: the filter-only first chunk is skipped, not mistaken for usage, and its empty id/model are never copied', () => {
    const filterOnly = data({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] });
    const run = runAllSplits(getAdapter('azure-openai'), CONTEXT, filterOnly + TEXT_STREAM);
    assert.equal(run.steps.find((step) => step.usage !== undefined)?.usage?.total_tokens, 7);
    assert.equal(run.chunks[0]?.id, 'chatcmpl-up');
    assert.equal(run.chunks[0]?.model, 'up-model');
    assert.equal(run.chunks.filter((entry) => entry.choices.length === 0).length, 1);
    assert.equal(run.malformed, 0);
  });

  test('tool calls without index or type (Mistral, whole calls) get both; two calls in one delta get indexes 0 and 1', () => {
    const wire = chunk({ role: 'assistant', content: '' }) + chunk({ content: null, tool_calls: [
      { id: 'aaaaaaaa1', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
      { id: 'bbbbbbbb2', function: { name: 'get_time', arguments: { zone: 'EST' } } },
    ] }, 'tool_calls') + DONE;
    const run = runAllSplits(getAdapter('mistral'), NO_USAGE, wire);
    assert.deepEqual(run.chunks[1]?.choices[0]?.delta, { tool_calls: [
      { index: 0, id: 'aaaaaaaa1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Boston"}' } },
      { index: 1, id: 'bbbbbbbb2', type: 'function', function: { name: 'get_time', arguments: '{"zone":"EST"}' } },
    ] });
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
  });

  test('upstream tool-call indexes are renumbered from 0 in start order and a missing id is synthesised deterministically', () => {
    const wire = chunk({ role: 'assistant', content: null }) + chunk({ tool_calls: [{ index: 3, type: 'function', function: { name: 'f', arguments: '{"a"' } }] })
      + chunk({ tool_calls: [{ index: 3, function: { arguments: ':1}' } }] }) + chunk({}, 'tool_calls') + DONE;
    const run = runAllSplits(openai, NO_USAGE, wire);
    assert.deepEqual(run.chunks[1]?.choices[0]?.delta, { tool_calls: [{ index: 0, id: 'call_chatcmpl-up_0', type: 'function', function: { name: 'f', arguments: '{"a"' } }] });
    assert.deepEqual(run.chunks[2]?.choices[0]?.delta, { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] });
  });

  test('a stop finish after tool calls is reported as tool_calls (raw kept)', () => {
    const run = runAllSplits(getAdapter('vllm'), NO_USAGE, chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }) + chunk({}, 'stop') + DONE);
    assert.equal(run.chunks.at(-1)?.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(run.rawFinishReason, 'stop');
  });

  test('reasoning_content deltas (DeepSeek) are dropped and do not count as first content', () => {
    const wire = chunk({ role: 'assistant', content: null, reasoning_content: '' }) + chunk({ content: null, reasoning_content: 'thinking' }) + chunk({ content: 'Answer', reasoning_content: null }) + chunk({}, 'stop') + DONE;
    const run = runAllSplits(getAdapter('deepseek'), NO_USAGE, wire);
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta), [{ role: 'assistant', content: '' }, { content: 'Answer' }, {}]);
    assert.equal(run.firstContentStep >= 0, true);
    const whole = getAdapter('deepseek').createStreamTranslator(NO_USAGE);
    const encoder = new TextEncoder();
    assert.equal(whole.push(encoder.encode(chunk({ role: 'assistant', content: null, reasoning_content: '' }) + chunk({ content: null, reasoning_content: 'x' }))).firstContent, false);
    assert.equal(whole.push(encoder.encode(chunk({ content: 'A' }))).firstContent, true);
  });

  test('output chunks carry only OpenAI fields (citations, obfuscation, x_groq, provider extras dropped; OpenAI\'s system_fingerprint kept)', () => {
    const wire = chunk({ role: 'assistant', content: 'A' }, null, { citations: ['https://x'], obfuscation: 'pad', x_groq: { id: 'r' }, provider: 'P', system_fingerprint: 'fp' }) + chunk({}, 'stop') + DONE;
    const run = runAllSplits(getAdapter('perplexity'), CONTEXT, wire);
    for (const entry of run.chunks) assert.deepEqual(Object.keys(entry), ['id', 'object', 'created', 'model', 'system_fingerprint', 'choices', 'usage']);
  });

  test('OpenAI\'s service_tier and system_fingerprint reach every chunk (role, text, finish, usage) in OpenAI\'s key order, as the upstream sent them', () => {
    // OpenAI's own layout (fixtures/providers/openai/chat-stream.json): tier and fingerprint after model, on every chunk.
    const head = { service_tier: 'default', system_fingerprint: 'fp_560af6e559' };
    const wire = data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null, obfuscation: 'Qx7' })
      + data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', ...head, choices: [{ index: 0, delta: { content: 'Hi' }, logprobs: null, finish_reason: null }], usage: null, obfuscation: 'mZ' })
      + data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null, obfuscation: 'wY5s' })
      + data({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'up-model', ...head, choices: [], usage: USAGE, obfuscation: 'p0' })
      + DONE;
    for (const context of [CONTEXT, NO_USAGE]) {
      const run = runAllSplits(openai, context, wire);
      assert.deepEqual(run.chunks.map((entry) => [entry.service_tier, entry.system_fingerprint]), Array(context.includeUsage ? 4 : 3).fill(['default', 'fp_560af6e559']));
      for (const entry of run.chunks) {
        assert.deepEqual(Object.keys(entry), ['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', ...(context.includeUsage ? ['usage'] : [])]);
      }
    }
  });

  test('a chunk the gateway splits off or adds (finish reason on a content chunk, [DONE] without one) carries the head too', () => {
    const head = { system_fingerprint: 'fp_9ad8e1d9b5' };
    const split = runAllSplits(getAdapter('xai'), NO_USAGE, chunk({ content: 'Hi', role: 'assistant' }, 'stop', head) + DONE);
    assert.deepEqual(split.chunks.map((entry) => [entry.choices[0]?.finish_reason, entry.system_fingerprint]), [[null, 'fp_9ad8e1d9b5'], ['stop', 'fp_9ad8e1d9b5']]);
    const closed = runAllSplits(openai, NO_USAGE, chunk({ role: 'assistant', content: 'Hi' }, null, head) + DONE);
    assert.deepEqual(closed.chunks.map((entry) => [entry.choices[0]?.finish_reason, entry.system_fingerprint]), [[null, 'fp_9ad8e1d9b5'], ['stop', 'fp_9ad8e1d9b5']]);
  });

  test('a null or missing service_tier / system_fingerprint adds no key (providers without them, vLLM\'s nulls)', () => {
    const run = runAllSplits(getAdapter('vllm'), NO_USAGE, chunk({ role: 'assistant', content: 'Hi' }, null, { service_tier: null, system_fingerprint: null }) + chunk({}, 'stop') + DONE);
    for (const entry of run.chunks) assert.deepEqual(Object.keys(entry), ['id', 'object', 'created', 'model', 'choices']);
  });

  test('annotations in a delta (web search citations) are relayed, also on a chunk that carries nothing else', () => {
    const citation = { type: 'url_citation', url_citation: { start_index: 0, end_index: 2, url: 'https://example.com/a', title: 'A' } };
    const wire = chunk({ role: 'assistant', annotations: [citation] }) + chunk({ content: 'Hi' }) + chunk({ annotations: [citation] }) + chunk({}, 'stop') + DONE;
    const run = runAllSplits(openai, NO_USAGE, wire);
    assert.deepEqual(run.chunks.map((entry) => entry.choices[0]?.delta), [
      { role: 'assistant', annotations: [citation] }, { content: 'Hi' }, { annotations: [citation] }, {},
    ]);
  });

  test('after done or an error, later bytes produce nothing', () => {
    const translator = openai.createStreamTranslator(CONTEXT);
    const encoder = new TextEncoder();
    assert.ok(translator.push(encoder.encode(TEXT_STREAM)).done);
    assert.deepEqual(translator.push(encoder.encode(chunk({ content: 'late' }))).chunks, []);
    assert.deepEqual(translator.end().chunks, []);
  });
});

describe('non-stream responses', () => {
  const body = (message: Record<string, unknown>, finish: string | null = 'stop', extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion', created: 1, model: 'up-model', choices: [{ index: 0, message, finish_reason: finish }], usage: USAGE, ...extra });

  test('only OpenAI fields survive: extras of the completion and the message are dropped, OpenAI\'s own service_tier and system_fingerprint kept', () => {
    const parsed = getAdapter('perplexity').parseResponse(200, {}, body({ role: 'assistant', content: 'Hi', reasoning_content: 'x', annotations: [] }, 'stop', { citations: ['u'], search_results: [], service_tier: 'default', system_fingerprint: 'fp' }), CONTEXT);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.completion, {
      id: 'chatcmpl-up', object: 'chat.completion', created: CONTEXT.created, model: 'up-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: USAGE, service_tier: 'default', system_fingerprint: 'fp',
    });
  });

  test('OpenAI\'s web-search citations (message.annotations) reach the client as sent', () => {
    const citation = { type: 'url_citation', url_citation: { start_index: 0, end_index: 2, url: 'https://example.com/a', title: 'A' } };
    const parsed = openai.parseResponse(200, {}, body({ role: 'assistant', content: 'Hi', annotations: [citation] }), CONTEXT);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.completion.choices[0]?.message.annotations, [citation]);
  });

  test('an unknown finish reason becomes stop, the raw value is kept', () => {
    const parsed = openai.parseResponse(200, {}, body({ role: 'assistant', content: 'Hi' }, 'eos'), CONTEXT);
    assert.ok(parsed.ok);
    assert.equal(parsed.completion.choices[0]?.finish_reason, 'stop');
    assert.equal(parsed.rawFinishReason, 'eos');
  });

  test('tool calls get type and a string arguments; Mistral content arrays keep their text parts', () => {
    const parsed = getAdapter('mistral').parseResponse(200, {}, body({ role: 'assistant', content: [{ type: 'thinking', thinking: [] }, { type: 'text', text: 'Done.' }], tool_calls: [{ id: 'abcDEF123', function: { name: 'f', arguments: { a: 1 } } }] }, 'tool_calls'), CONTEXT);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.completion.choices[0]?.message, { role: 'assistant', content: 'Done.', refusal: null, tool_calls: [{ id: 'abcDEF123', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] });
  });

  test('missing id and model fall back to the context; missing usage stays unknown (never 0) and is left out of the completion', () => {
    for (const usage of [{}, { usage: null }, { usage: {} }, { usage: { total_tokens: 9 } }]) {
      const parsed = openai.parseResponse(200, {}, JSON.stringify({ choices: [{ message: { content: 'Hi' }, finish_reason: 'stop' }], ...usage }), CONTEXT);
      assert.ok(parsed.ok);
      assert.equal(parsed.completion.id, CONTEXT.completionId);
      assert.equal(parsed.completion.model, CONTEXT.model);
      assert.equal('usage' in parsed.completion, false, JSON.stringify(usage));
      assert.equal(parsed.usage, undefined, JSON.stringify(usage));
      assert.equal('usage' in parsed, false);
    }
  });

  test('a body the gateway cannot read is a retryable 502, never a crash', () => {
    for (const text of ['<html>oops</html>', '{"choices":[]}', 'null', '']) {
      const parsed = openai.parseResponse(200, {}, text, CONTEXT);
      assert.ok(!parsed.ok, text);
      assert.equal(parsed.error.status, 502);
      assert.equal(parsed.error.failoverClass, 'retryable_5xx');
      assert.doesNotMatch(parsed.error.envelope.error.message, /oops/);
    }
  });

  test('a 200 carrying an error body, or a finish_reason "error", is an error', () => {
    const errorBody = openai.parseResponse(200, {}, JSON.stringify({ error: { message: 'upstream failed', type: 'server_error' } }), CONTEXT);
    assert.ok(!errorBody.ok);
    assert.equal(errorBody.error.failoverClass, 'retryable_5xx');
    const errorFinish = openai.parseResponse(200, {}, body({ role: 'assistant', content: 'Hal' }, 'error'), CONTEXT);
    assert.ok(!errorFinish.ok);
  });

  test('DeepSeek cache hits count as cached prompt tokens', () => {
    const parsed = getAdapter('deepseek').parseResponse(200, {}, body({ role: 'assistant', content: 'x' }, 'stop', { usage: { prompt_tokens: 70, completion_tokens: 2, total_tokens: 72, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 6 } }), CONTEXT);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.usage, { prompt_tokens: 70, completion_tokens: 2, total_tokens: 72, prompt_tokens_details: { cached_tokens: 64 } });
  });

  test('a non-2xx status is parsed as the provider\'s error', () => {
    const parsed = openai.parseResponse(429, { 'retry-after': '2' }, JSON.stringify({ error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }), CONTEXT);
    assert.ok(!parsed.ok);
    assert.equal(parsed.error.failoverClass, 'rate_limited');
    assert.equal(parsed.error.retryAfterMs, 2000);
  });
});
