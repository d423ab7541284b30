/**
 * Streaming through the gateway with the official `openai` SDK (`for await` over chunks) and raw
 * SSE reads over real sockets (design §3.6, §3.8, §10.1, §10.2, §10.9): framing and terminator,
 * usage only when asked (but always audited), chunks relayed as they arrive, a mid-answer cut
 * continued seamlessly by a prefill-capable fallback, a fallback that rejects the prefill ending the
 * stream with an error naming the original failure, stalls, malformed events and a missing terminator.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { collect, gatewaySuite, metricValue, mockProviders, postRaw, sseData, type GatewayHandle } from './helpers/gateway-harness.js';

const OPENAI_TEXT = 'Hello there, nice to meet you!';
const ANTHROPIC_TEXT = 'Hello! Nice to meet you.';
const messages = [{ role: 'user' as const, content: 'Say hello in one short sentence.' }];

/** One route per scenario, each with its own models so faults (scoped by model) and circuits never mix. */
function manifest(mock: RunningMock): string {
  const pair = (name: string, model: string, primary: string, fallback: string, extra = ''): string => `
  - name: ${name}
    match: { model: "${model}" }
    targets:
      - { provider: openai, model: ${primary}, weight: 1 }
      - { provider: anthropic, model: ${fallback}, weight: 0 }${extra}`;
  return `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic' })}
ai_routes:
  - name: plain
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-stream-a } ]
  - name: claude
    match: { model: "claude" }
    targets: [ { provider: anthropic, model: claude-stream-a } ]
  - name: slow
    match: { model: "slow" }
    targets: [ { provider: openai, model: gpt-slow } ]
    stream_idle_timeout_ms: 20000
${pair('cut-continue', 'cut-continue', 'gpt-cut-a', 'claude-continue-a')}
${pair('cut-reject', 'cut-reject', 'gpt-cut-b', 'claude-reject-b')}
${pair('stall-continue', 'stall-continue', 'gpt-stall-c', 'claude-continue-c', '\n    stream_idle_timeout_ms: 300')}
${pair('stall-error', 'stall-error', 'gpt-stall-d', 'claude-unused-d', '\n    stream_idle_timeout_ms: 300\n    stream_failover: error')}
  - name: malformed
    match: { model: "malformed" }
    targets: [ { provider: openai, model: gpt-malformed } ]
  - name: no-terminator
    match: { model: "no-terminator" }
    targets: [ { provider: openai, model: gpt-noterm } ]
    stream_idle_timeout_ms: 30000
  - name: no-terminator-claude
    match: { model: "no-terminator-claude" }
    targets: [ { provider: anthropic, model: claude-noterm } ]
    stream_idle_timeout_ms: 30000
audit:
  completion: full
`;
}

const textOf = (chunks: readonly ChatCompletionChunk[]): string => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
const finishes = (chunks: readonly ChatCompletionChunk[]): (string | null | undefined)[] =>
  chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason !== null && reason !== undefined);

describe('streams', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => manifest(mock));

  test('the SDK iterates the chunks of one stream with one role, one finish, and no usage chunk when not asked', async () => {
    const stream = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const chunks = await collect(stream);
    assert.equal(textOf(chunks), OPENAI_TEXT);
    assert.deepEqual(finishes(chunks), ['stop']);
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant').length, 1);
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-stream-a'));
    assert.equal(new Set(chunks.map((chunk) => chunk.id)).size, 1);
    assert.ok(chunks.every((chunk) => chunk.choices.length === 1 && (chunk.usage === undefined || chunk.usage === null)), 'no usage chunk');
    // The gateway still asked upstream for usage and recorded it.
    const upstream = mock.log().findLast((entry) => entry.model === 'gpt-stream-a');
    assert.deepEqual((upstream?.body as { stream_options?: unknown }).stream_options, { include_usage: true });
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'plain');
    assert.equal(record?.aigw.stream, true);
    assert.equal(record?.aigw.usage?.total_tokens, 32);
    assert.equal(record?.gen_ai.usage?.input_tokens, 24);
  });

  test('with stream_options.include_usage the last chunk carries the usage and no choices', async () => {
    const stream = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage?.total_tokens, 32);
    assert.equal(last?.usage?.prompt_tokens, 24);
    assert.equal(chunks.filter((chunk) => chunk.usage !== undefined && chunk.usage !== null).length, 1);
    assert.equal(textOf(chunks), OPENAI_TEXT);
  });

  test('a translated stream (Anthropic) reaches the SDK as OpenAI chunks with prompt tokens in the usage', async () => {
    const stream = await handle.client.chat.completions.create({ model: 'claude', messages, stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    assert.equal(textOf(chunks), ANTHROPIC_TEXT);
    assert.deepEqual(finishes(chunks), ['stop']);
    assert.ok(chunks.every((chunk) => chunk.model === 'claude-stream-a'));
    assert.equal(chunks.at(-1)?.usage?.prompt_tokens, 21);
  });

  test('the raw response is OpenAI SSE: event-stream headers, gateway headers, data lines, data: [DONE] last', async () => {
    const response = await postRaw(`${handle.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages, stream: true }, { 'x-request-id': 'stream-raw-1' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(response.headers.get('x-request-id'), 'stream-raw-1');
    assert.equal(response.headers.get('x-aigw-route'), 'plain');
    assert.equal(response.headers.get('x-aigw-provider'), 'openai');
    assert.ok(response.text.endsWith('data: [DONE]\n\n'));
    assert.ok(!response.text.includes('event:'), 'no event: lines');
    const data = sseData(response.text);
    assert.equal(data.filter((item) => item === '[DONE]').length, 1);
    for (const item of data.slice(0, -1)) assert.equal((JSON.parse(item) as { object: string }).object, 'chat.completion.chunk');
  });

  test('chunks reach the client as they arrive: the first content is read while the upstream is still stalled', async () => {
    mock.setFaults(['model=gpt-slow,stall=1500,stall_after=3']);
    const stream = await handle.client.chat.completions.create({ model: 'slow', messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    let upstreamCompleteAtFirstContent: boolean | undefined;
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (upstreamCompleteAtFirstContent === undefined && (chunk.choices[0]?.delta.content ?? '') !== '') {
        upstreamCompleteAtFirstContent = mock.log().findLast((entry) => entry.model === 'gpt-slow')?.completed;
      }
    }
    assert.equal(upstreamCompleteAtFirstContent, false, 'the first content chunk arrived before the upstream answer completed');
    assert.equal(textOf(chunks), OPENAI_TEXT);
  });

  test('a stream cut mid-answer is continued by a prefill-capable target: one seamless stream, the SDK sees the complete text', async () => {
    mock.setFaults(['model=gpt-cut-a,cut_after=4']);
    const { data: stream, response } = await handle.client.chat.completions
      .create({ model: 'cut-continue', messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    const chunks = await collect(stream);
    const partial = 'Hello there,';
    assert.equal(textOf(chunks), partial + ANTHROPIC_TEXT);
    assert.deepEqual(finishes(chunks), ['stop'], 'one finish');
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant').length, 1, 'one role chunk');
    assert.equal(new Set(chunks.map((chunk) => chunk.id)).size, 1, 'one completion id');
    assert.equal(response.headers.get('x-aigw-provider'), 'openai', 'headers name the provider that started the stream');
    // The continuation asked Anthropic with the partial answer as the assistant prefill.
    const continuation = mock.log().findLast((entry) => entry.model === 'claude-continue-a');
    const sent = continuation?.body as { messages: { role: string; content: unknown }[] };
    const last = sent.messages.at(-1);
    assert.equal(last?.role, 'assistant');
    assert.equal(JSON.stringify(last?.content).includes(partial), true);
    // The usage (and the model) is the one of the model that finished the answer.
    assert.equal(chunks.at(-1)?.usage?.prompt_tokens, 21);
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'cut-continue');
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.reason ?? null, attempt.outcome]), [
      ['openai', 'stream_error', 'failure'], ['anthropic', null, 'success'],
    ]);
    assert.equal(record?.aigw.provider, 'anthropic');
    const metrics = await handle.metricsText();
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'openai', model: 'gpt-cut-a', outcome: 'continued', reason: 'stream_error' }), 1);
  });

  test('a fallback that rejects the prefill ends the stream with an in-band error naming the original failure (the SDK throws)', async () => {
    mock.setFaults(['model=gpt-cut-b,cut_after=4', 'model=claude-reject-b,reject_prefill']);
    const stream = await handle.client.chat.completions.create({ model: 'cut-reject', messages, stream: true });
    const received: ChatCompletionChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of stream) received.push(chunk);
    }, (error: unknown) => {
      assert.ok(error instanceof APIError, `APIError, got ${String(error)}`);
      assert.equal(error.code, 'stream_interrupted');
      assert.match(error.message, /^The stream was interrupted after \d+ chunks: openai\/gpt-cut-b: .*stream_error/);
      assert.match(error.message, /continuation failed: anthropic\/claude-reject-b: 400/);
      return true;
    });
    assert.equal(textOf(received), 'Hello there,');
    assert.deepEqual(finishes(received), [], 'never a finish chunk that would look like success');
    const raw = mock.log().findLast((entry) => entry.model === 'claude-reject-b');
    assert.equal(raw?.status, 400);
    // The continuation was tried (a failover), and the stream the client got was OpenAI's.
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'cut-reject');
    assert.equal(record?.error?.code, 'AIGW_E_STREAM_INTERRUPTED');
    assert.equal(record?.aigw.failover, true);
    assert.equal(record?.aigw.provider, 'openai');
    assert.equal(record?.aigw.model, 'gpt-cut-b');
    // Nothing followed the rejected continuation: it ended the run, it did not fail over.
    const metrics = await handle.metricsText();
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'openai', model: 'gpt-cut-b', outcome: 'continued', reason: 'stream_error' }), 1);
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'anthropic', model: 'claude-reject-b', outcome: 'failover' }), 0);
    assert.equal(metricValue(metrics, 'aigw_attempts_total', { provider: 'anthropic', model: 'claude-reject-b', outcome: 'returned' }), 1);
  });

  test('a stream that stalls past stream_idle_timeout_ms is continued by the fallback', async () => {
    mock.setFaults(['model=gpt-stall-c,stall=3000,stall_after=4']);
    const chunks = await collect(await handle.client.chat.completions.create({ model: 'stall-continue', messages, stream: true }));
    assert.equal(textOf(chunks), 'Hello there,' + ANTHROPIC_TEXT);
    assert.deepEqual(finishes(chunks), ['stop']);
    // The stalled upstream request was abandoned (its socket closed by the gateway).
    const stalled = mock.log().findLast((entry) => entry.model === 'gpt-stall-c');
    assert.equal(stalled?.completed, false);
    assert.equal(stalled?.clientClosed?.midStream, true);
  });

  test('with stream_failover: error a stall ends the stream with an error event and [DONE]', async () => {
    mock.setFaults(['model=gpt-stall-d,stall=3000,stall_after=4']);
    const response = await postRaw(`${handle.url}/v1/chat/completions`, { model: 'stall-error', messages, stream: true });
    const data = sseData(response.text);
    assert.equal(data.at(-1), '[DONE]');
    const error = JSON.parse(data.at(-2) ?? '{}') as { error?: { code: string; message: string } };
    assert.equal(error.error?.code, 'stream_interrupted');
    assert.match(error.error?.message ?? '', /gpt-stall-d/);
    assert.match(error.error?.message ?? '', /stream_error/);
    assert.equal(mock.log().filter((entry) => entry.model === 'claude-unused-d').length, 0, 'no continuation attempted');
    // Status 200 went out before the failure: the outcome label tells the interrupted stream apart.
    const metrics = await handle.metricsText();
    assert.equal(metricValue(metrics, 'aigw_requests_total', { route: 'stall-error', status: '200', stream: 'true', outcome: 'interrupted' }), 1);
    assert.equal(metricValue(metrics, 'aigw_requests_total', { route: 'stall-error', outcome: 'success' }), 0);
    // Its only attempt served the stream and broke: the record names it, and no failover happened.
    const record = (await handle.auditRecords()).findLast((line) => line.aigw.route === 'stall-error');
    assert.equal(record?.http.response.status_code, 200);
    assert.equal(record?.error?.code, 'AIGW_E_STREAM_INTERRUPTED');
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.reason ?? null, attempt.outcome]), [
      ['openai', 'gpt-stall-d', 'stream_error', 'failure'],
    ]);
    assert.equal(record?.aigw.failover, false);
    assert.equal(record?.aigw.provider, 'openai');
    assert.equal(record?.aigw.model, 'gpt-stall-d');
    assert.equal(record?.gen_ai.response?.model, 'gpt-stall-d');
  });

  test('a malformed upstream event is skipped, not forwarded, and counted in /metrics', async () => {
    const before = metricValue(await handle.metricsText(), 'aigw_malformed_upstream_events_total', { provider: 'openai' });
    mock.setFaults(['model=gpt-malformed,malformed_at=3']);
    const response = await postRaw(`${handle.url}/v1/chat/completions`, { model: 'malformed', messages, stream: true });
    const data = sseData(response.text);
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((item) => JSON.parse(item) as ChatCompletionChunk);
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'), 'only well-formed chunks');
    // Chunk 3 (" there") was replaced by broken JSON upstream: the rest arrives intact.
    assert.equal(textOf(chunks), OPENAI_TEXT.replace(' there', ''));
    assert.deepEqual(finishes(chunks), ['stop']);
    const after = metricValue(await handle.metricsText(), 'aigw_malformed_upstream_events_total', { provider: 'openai' });
    assert.equal(after - before, 1);
  });

  for (const [model, provider] of [['no-terminator', 'openai'], ['no-terminator-claude', 'anthropic']] as const) {
    test(`a ${provider} stream missing its terminator is finalised at once with its usage and data: [DONE]`, async () => {
      mock.setFaults([`model=${provider === 'openai' ? 'gpt-noterm' : 'claude-noterm'},no_terminator`]);
      // The route's idle timeout is 30 s and this read gives up after 20 s: only an immediate finalisation passes.
      const response = await postRaw(`${handle.url}/v1/chat/completions`, { model, messages, stream: true, stream_options: { include_usage: true } });
      const data = sseData(response.text);
      assert.equal(data.at(-1), '[DONE]');
      const chunks = data.slice(0, -1).map((item) => JSON.parse(item) as ChatCompletionChunk & { error?: unknown });
      assert.ok(chunks.every((chunk) => chunk.error === undefined), 'no error event');
      assert.deepEqual(finishes(chunks), ['stop']);
      assert.ok((chunks.at(-1)?.usage?.total_tokens ?? 0) > 0, 'usage chunk before [DONE]');
    });
  }
});
