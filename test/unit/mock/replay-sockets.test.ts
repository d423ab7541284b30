import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { request } from 'undici';
import { startMock, type RunningMock } from '../../../runtime/mock/start-mock.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { TransportError } from '../../../runtime/transport/transport.js';
import { createUndiciTransport } from '../../../runtime/transport/undici-transport.js';
import { testAgent } from '../../helpers/servers.js';
import { createManualClock, type ManualClock } from '../../helpers/virtual-clock.js';
import { ALL_TEST_FIXTURES, writeFixtureDirectory } from './test-fixtures.js';

const anthropicHeaders = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const streamBody = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] });

async function running(t: TestContext, options: { clock?: ManualClock; speed?: number; faults?: string[] } = {}): Promise<RunningMock> {
  const mock = await startMock({ fixturesDir: writeFixtureDirectory(t, ALL_TEST_FIXTURES), speed: options.speed ?? 0, ...options });
  t.after(() => mock.close());
  return mock;
}

const settle = async (): Promise<void> => {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setImmediate(resolve));
};

/** Reads whatever has arrived so far on a streaming body, without waiting for more. */
function collector(body: AsyncIterable<Buffer | Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = '';
  const done = (async () => {
    for await (const chunk of body) text += Buffer.from(chunk).toString();
  })();
  return { text: () => text, done };
}

async function arrived(mock: RunningMock, count = 1): Promise<void> {
  await until(() => mock.log().length >= count, 'request arrived');
  await settle();
}

/** Waits until the condition holds (data crossing a loopback socket), failing after two seconds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2000) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A short pause, for checking that something did NOT arrive early. */
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

async function advanceTo(clock: ManualClock, ms: number): Promise<void> {
  await clock.advance(ms - clock.monotonic());
  await settle();
}

test('stream chunks are written one by one at their recorded offsets divided by --speed', async (t) => {
  const clock = createManualClock();
  const mock = await running(t, { clock, speed: 2 });
  const responsePromise = request(`${mock.url}/anthropic/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: streamBody, dispatcher: testAgent(t) });
  await arrived(mock);
  await advanceTo(clock, 99);
  let headersArrived = false;
  void responsePromise.then(() => { headersArrived = true; });
  await pause();
  assert.equal(headersArrived, false, 'head recorded at 200 ms is due at 100 ms at speed 2');
  await advanceTo(clock, 100);
  const response = await responsePromise;
  assert.equal(response.statusCode, 200);
  const body = collector(response.body);
  await advanceTo(clock, 150);
  await until(() => body.text() !== '', 'first chunk');
  await pause();
  assert.match(body.text(), /^event: message_start\n.*\n\n$/, 'the first chunk (300 ms) arrives alone at 150 ms');
  await advanceTo(clock, 199);
  await pause();
  assert.doesNotMatch(body.text(), /content_block_delta/, 'the second chunk is not sent early');
  await advanceTo(clock, 200);
  await until(() => body.text().includes('content_block_delta'), 'second chunk');
  await pause();
  assert.doesNotMatch(body.text(), /message_delta/);
  await advanceTo(clock, 305);
  await body.done;
  assert.match(body.text(), /event: message_stop/);
});

test('delay_headers, delay_first_chunk and stall shift the schedule by absolute milliseconds', async (t) => {
  const clock = createManualClock();
  const mock = await running(t, { clock, speed: 0 });
  const responsePromise = request(`${mock.url}/anthropic/v1/messages`, {
    method: 'POST', body: streamBody, dispatcher: testAgent(t),
    headers: { ...anthropicHeaders, 'x-aigw-mock-fault': 'delay_headers=1000,delay_first_chunk=500,stall=3000,stall_after=2' },
  });
  const arrivedResponse: { value?: Awaited<typeof responsePromise> } = {};
  void responsePromise.then((value) => { arrivedResponse.value = value; });
  await arrived(mock);
  await advanceTo(clock, 999);
  await pause();
  const current = () => arrivedResponse.value;
  assert.equal(current(), undefined);
  await advanceTo(clock, 1000);
  await until(() => current() !== undefined, 'head after delay_headers');
  const response = current();
  assert.ok(response !== undefined);
  const body = collector(response.body);
  await advanceTo(clock, 1499);
  await pause();
  assert.equal(body.text(), '');
  await advanceTo(clock, 1500);
  await until(() => body.text().includes('content_block_delta'), 'chunks 1 and 2 after delay_first_chunk');
  await advanceTo(clock, 4499);
  await pause();
  assert.doesNotMatch(body.text(), /message_delta/, 'stalled after chunk 2');
  await advanceTo(clock, 4500);
  await body.done;
  assert.match(body.text(), /message_stop/);
});

test('reset destroys the connection before any response head', async (t) => {
  const mock = await running(t);
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 10, keepAliveMaxTimeoutMs: 10 });
  t.after(() => transport.close());
  await assert.rejects(transport.send({
    method: 'POST', url: `${mock.url}/anthropic/v1/messages`, headers: { ...anthropicHeaders, 'x-aigw-mock-fault': 'reset' },
    body: streamBody, auth: { kind: 'none' }, stream: { framing: 'sse' },
  }, new AbortController().signal), (error: unknown) => error instanceof TransportError && error.failure === 'reset' && error.beforeResponse);
  const entry = mock.log()[0];
  assert.equal(entry?.outcome, 'reset');
  assert.equal(entry?.status, null);
  assert.equal(entry?.clientClosed, null, 'the mock closed it, not the client');
});

test('reset_after=N breaks the body after N chunks', async (t) => {
  const mock = await running(t);
  const transport = createUndiciTransport({ keepAliveTimeoutMs: 10, keepAliveMaxTimeoutMs: 10 });
  t.after(() => transport.close());
  const response = await transport.send({
    method: 'POST', url: `${mock.url}/anthropic/v1/messages`, headers: { ...anthropicHeaders, 'x-aigw-mock-fault': 'reset_after=1' },
    body: streamBody, auth: { kind: 'header', name: 'x-api-key', secret: literalSecret('k') }, stream: { framing: 'sse' },
  }, new AbortController().signal);
  let text = '';
  await assert.rejects((async () => {
    for await (const chunk of response.body) text += Buffer.from(chunk).toString();
  })(), (error: unknown) => error instanceof TransportError && error.failure === 'body');
  assert.match(text, /message_start/);
  assert.doesNotMatch(text, /content_block_delta/);
  assert.equal(mock.log()[0]?.chunksSent, 1);
});

test('no_answer holds the request until the client gives up, and the log says when it did', async (t) => {
  const mock = await running(t, { faults: ['provider=anthropic,no_answer'] });
  const controller = new AbortController();
  const pending = request(`${mock.url}/anthropic/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: streamBody, signal: controller.signal, dispatcher: testAgent(t) });
  await arrived(mock);
  await new Promise((resolve) => setTimeout(resolve, 30));
  controller.abort();
  await assert.rejects(pending);
  await until(() => mock.log()[0]?.clientClosed !== null, 'client close logged');
  const entry = mock.log()[0];
  assert.equal(entry?.fault, 'provider=anthropic,no_answer');
  assert.equal(entry?.status, null);
  assert.equal(entry?.clientClosed?.midStream, false);
  assert.ok((entry?.clientClosed?.atMs ?? 0) >= 25, 'closed after the client waited');
});

test('a client that disconnects mid-stream is logged with the chunks it had received', async (t) => {
  const clock = createManualClock();
  const mock = await running(t, { clock, speed: 1 });
  const controller = new AbortController();
  const responsePromise = request(`${mock.url}/anthropic/v1/messages`, { method: 'POST', headers: anthropicHeaders, body: streamBody, signal: controller.signal, dispatcher: testAgent(t) });
  await arrived(mock);
  await advanceTo(clock, 300);
  const response = await responsePromise;
  const iterator = response.body[Symbol.asyncIterator]();
  assert.match(Buffer.from((await iterator.next()).value as Buffer).toString(), /message_start/);
  controller.abort();
  await until(() => mock.log()[0]?.clientClosed !== null, 'client close logged');
  const entry = mock.log()[0];
  assert.equal(entry?.completed, false);
  assert.deepEqual(entry?.clientClosed, { atMs: 300, midStream: true, chunksSent: 1 });
  assert.equal(clock.pendingTimers(), 0, 'the pending chunk timer was cancelled');
});

test('the mock binds 127.0.0.1 by default', async (t) => {
  const mock = await running(t);
  assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
