/** The simulator's fixture transport: recorded answers at their offsets, and each injected fault. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVirtualScheduler } from '../../../cli/simulate/virtual-scheduler.js';
import type { NativeRequest } from '../../../runtime/adapters/contract.js';
import { seededRandom } from '../../../runtime/clock.js';
import { loadFixtureIndex } from '../../../runtime/mock/fixture-index.js';
import { createFixtureTransport, type FaultRule } from '../../../runtime/transport/fixture-transport.js';
import { TransportError, type TransportResponse } from '../../../runtime/transport/transport.js';

const fixtures = loadFixtureIndex();
const OPENAI = { providerId: 'openai', providerType: 'openai', model: 'gpt-4o-mini' } as const;
const request = (stream: boolean, body: object = { model: 'gpt-4o-mini', messages: [] }): NativeRequest => ({
  method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: JSON.stringify(body), auth: { kind: 'none' },
  stream: stream ? { framing: 'sse' } : false,
});
const rule = (extra: Partial<FaultRule>): FaultRule => ({ provider: 'openai', latency: [], errors: [], resetRate: 0, hangRate: 0, outages: [], ...extra });

async function exchange(faults: readonly FaultRule[], options: { stream?: boolean; body?: object; at?: number; seed?: number } = {}) {
  const clock = createVirtualScheduler();
  const transport = createFixtureTransport({ clock, random: seededRandom(options.seed ?? 1), fixtures, faults });
  const run = async () => {
    if (options.at !== undefined) await clock.sleep(options.at);
    const started = clock.monotonic();
    const response: TransportResponse = await transport.send(request(options.stream ?? false, options.body), new AbortController().signal, OPENAI);
    const headAt = clock.monotonic() - started;
    const chunks: { at: number; text: string }[] = [];
    for await (const bytes of response.body) chunks.push({ at: clock.monotonic() - started, text: new TextDecoder().decode(bytes) });
    return { response, headAt, chunks };
  };
  return clock.runUntil(run());
}

test('a recorded answer arrives at its recorded offsets, with the recorded model swapped for the target model', async () => {
  const chat = fixtures.pick('openai', { stream: false, tools: false });
  const { response, headAt, chunks } = await exchange([]);
  assert.equal(response.status, 200);
  assert.equal(headAt, chat?.response.headers_at_ms);
  assert.match(chunks[0]?.text ?? '', /"model":\s*"gpt-4o-mini"/);
  const stream = fixtures.pick('openai', { stream: true, tools: false });
  const streamed = await exchange([], { stream: true });
  assert.deepEqual(streamed.chunks.map((chunk) => chunk.at), stream?.response.stream?.chunks.map((chunk) => chunk.at_ms));
});

test('a request with tools is answered by the tool-call fixture', async () => {
  const { chunks } = await exchange([], { body: { model: 'gpt-4o-mini', messages: [], tools: [{ type: 'function', function: { name: 'f' } }] } });
  assert.match(chunks[0]?.text ?? '', /tool_calls/);
});

test('added latency shifts the head and every chunk', async () => {
  const plain = await exchange([], { stream: true });
  const slowed = await exchange([rule({ latency: [{ kind: 'fixed', ms: 250 }] })], { stream: true });
  assert.equal(slowed.headAt, plain.headAt + 250);
  assert.deepEqual(slowed.chunks.map((chunk) => chunk.at), plain.chunks.map((chunk) => chunk.at + 250));
});

test('normal and lognormal latency have the requested median and 95th percentile', async () => {
  const base = fixtures.pick('openai', { stream: false, tools: false })?.response.headers_at_ms ?? 0;
  for (const kind of ['normal', 'lognormal'] as const) {
    const clock = createVirtualScheduler();
    const transport = createFixtureTransport({ clock, random: seededRandom(5), fixtures, faults: [rule({ latency: [{ kind, p50Ms: 200, p95Ms: 600 }] })] });
    const added: number[] = [];
    await clock.runUntil((async () => {
      for (let index = 0; index < 4000; index += 1) {
        const started = clock.monotonic();
        await transport.send(request(false), new AbortController().signal, OPENAI);
        added.push(clock.monotonic() - started - base);
      }
    })());
    added.sort((a, b) => a - b);
    const p50 = added[2000] ?? 0;
    const p95 = added[3800] ?? 0;
    assert.ok(Math.abs(p50 - 200) < 20, `${kind} p50 ${p50}`);
    assert.ok(Math.abs(p95 - 600) < 50, `${kind} p95 ${p95}`);
  }
});

test("an injected error is the provider's own error fixture, at once, with retry headers overridden when asked", async () => {
  const { response, headAt, chunks } = await exchange([rule({ errors: [{ status: 429, rate: 1, retryAfterMs: 2000 }] })]);
  assert.equal(response.status, 429);
  assert.equal(headAt, 0);
  assert.equal(response.headers['retry-after'], '2');
  assert.equal(response.headers['retry-after-ms'], '2000');
  assert.match(chunks[0]?.text ?? '', /rate_limit/);
  const named = await exchange([rule({ errors: [{ fixtureCase: 'error-400-context-length', rate: 1 }] })]);
  assert.equal(named.response.status, 400);
  assert.match(named.chunks[0]?.text ?? '', /context_length_exceeded/);
  const synthetic = await exchange([rule({ errors: [{ status: 529, rate: 1 }] })]);
  assert.equal(synthetic.response.status, 529, 'a status the provider has no fixture for is still answered');
});

test('an error with a limit is injected at most that many times', async () => {
  const clock = createVirtualScheduler();
  const transport = createFixtureTransport({ clock, random: seededRandom(1), fixtures, faults: [rule({ errors: [{ status: 503, rate: 1, limit: 1 }] })] });
  const statuses = await clock.runUntil((async () => {
    const seen: number[] = [];
    for (let index = 0; index < 3; index += 1) seen.push((await transport.send(request(false), new AbortController().signal, OPENAI)).status);
    return seen;
  })());
  assert.deepEqual(statuses, [503, 200, 200]);
});

test('resets, outages and cut streams are transport errors; an outage with a status answers with it', async () => {
  await assert.rejects(exchange([rule({ resetRate: 1 })]), (error: unknown) => error instanceof TransportError && error.failure === 'reset' && error.beforeResponse);
  await assert.rejects(exchange([rule({ outages: [{ fromMs: 0, toMs: 60_000 }] })], { at: 30_000 }),
    (error: unknown) => error instanceof TransportError && error.code === 'ECONNREFUSED');
  const after = await exchange([rule({ outages: [{ fromMs: 0, toMs: 60_000 }] })], { at: 60_000 });
  assert.equal(after.response.status, 200, 'the window is [from, to)');
  const answered = await exchange([rule({ outages: [{ fromMs: 0, toMs: 60_000, status: 503 }] })]);
  assert.equal(answered.response.status, 503);
  await assert.rejects(exchange([rule({ streamCut: { rate: 1, afterChunks: 2 } })], { stream: true }),
    (error: unknown) => error instanceof TransportError && error.failure === 'body' && !error.beforeResponse);
});

test('a hang or a stall waits until the attempt is aborted', async () => {
  const clock = createVirtualScheduler();
  const transport = createFixtureTransport({ clock, random: seededRandom(1), fixtures, faults: [rule({ hangRate: 1 })] });
  const controller = new AbortController();
  const outcome = clock.runUntil((async () => {
    const pending = transport.send(request(false), controller.signal, OPENAI);
    await clock.sleep(5000);
    controller.abort(new Error('budget'));
    return pending.then(() => 'answered', (error: Error) => `${error.message} at ${clock.monotonic()}`);
  })());
  assert.equal(await outcome, 'budget at 5000');
});
