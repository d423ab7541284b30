import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { buildMockApp } from '../../../runtime/mock/build-mock-app.js';
import { createFaultBook, FAULT_KEYS, faultHelp, FaultSpecError, parseFault } from '../../../runtime/mock/faults.js';
import { ALL_TEST_FIXTURES, writeFixtureDirectory } from './test-fixtures.js';

test('a fault spec parses keys, values and bare flags', () => {
  assert.deepEqual(parseFault('provider=anthropic, model=claude-*,status=529,first=3'), {
    text: 'provider=anthropic, model=claude-*,status=529,first=3', provider: 'anthropic', model: 'claude-*', status: 529, first: 3,
  });
  assert.deepEqual(parseFault('status=429,retry_after=1.5'), { text: 'status=429,retry_after=1.5', status: 429, retryAfterSeconds: 1.5 });
  assert.deepEqual(parseFault('cut_after=2,no_terminator,stall=500,stall_after=1,malformed_at=1,delay_first_chunk=10,delay_headers=5,reject_prefill,for_ms=60000'), {
    text: 'cut_after=2,no_terminator,stall=500,stall_after=1,malformed_at=1,delay_first_chunk=10,delay_headers=5,reject_prefill,for_ms=60000',
    cutAfter: 2, noTerminator: true, stallMs: 500, stallAfter: 1, malformedAt: 1, delayFirstChunkMs: 10, delayHeadersMs: 5, rejectPrefill: true, forMs: 60000,
  });
  assert.equal(parseFault('no_answer').noAnswer, true);
  assert.equal(parseFault('reset').reset, true);
  assert.equal(parseFault('reset_after=0').resetAfter, 0);
});

test('a bad fault spec is an error that names the problem', () => {
  const cases: [string, RegExp][] = [
    ['status=429,retry=2', /unknown key "retry"/],
    ['status=abc', /status=abc: expected a whole number/],
    ['status=200', /expected 400-599/],
    ['delay_headers=-1', /expected a whole number >= 0/],
    ['delay_headers=1.5', /whole number/],
    ['provider=openai', /names no effect/],
    ['status=500,reset', /exclude each other/],
    ['no_answer,reset', /exclude each other/],
    ['retry_after=2', /retry_after needs status/],
    ['stall_after=2,cut_after=3', /stall_after needs stall/],
    ['reset=yes', /reset is a flag/],
    ['status', /status needs a value/],
    ['status=500,status=502', /status given twice/],
    ['malformed_at=0', /chunks count from 1/],
  ];
  for (const [spec, message] of cases) assert.throws(() => parseFault(spec), (error: unknown) => error instanceof FaultSpecError && message.test(error.message), spec);
});

test('the help text lists every fault key', () => {
  const help = faultHelp();
  for (const key of Object.keys(FAULT_KEYS)) assert.match(help, new RegExp(`^  ${key}`, 'm'), key);
  assert.match(help, /status=CODE +answer this HTTP status/);
});

test('global faults apply by provider and model, to the first K matches, and only within for_ms', () => {
  let now = 0;
  const book = createFaultBook([parseFault('provider=anthropic,model=claude-*,status=529,first=2'), parseFault('status=500,for_ms=1000')], () => now);
  now = 5000;
  const anthropic = { provider: 'anthropic', model: 'claude-haiku-4-5' };
  assert.equal(book.select(anthropic)?.status, 529);
  assert.equal(book.select({ ...anthropic, model: 'other' }), undefined, 'model scope; second fault expired');
  assert.equal(book.select(anthropic)?.status, 529);
  assert.equal(book.select(anthropic), undefined, 'first=2 spent');
  assert.equal(book.select({ provider: 'openai', model: 'm' }), undefined, 'for_ms=1000 is over at 5000');
  book.replace([parseFault('provider=anthropic,status=529,first=1'), parseFault('status=500,for_ms=1000')]);
  now = 5999;
  assert.equal(book.select({ provider: 'openai', model: 'm' })?.status, 500, 'the window opens when the faults are set');
  now = 6000;
  assert.equal(book.select({ provider: 'openai', model: 'm' }), undefined, 'healthy after for_ms');
  assert.equal(book.select(anthropic)?.status, 529, 'replace restarts the counters');
  assert.deepEqual(book.list().map((fault) => fault.text), ['provider=anthropic,status=529,first=1', 'status=500,for_ms=1000']);
});

function mockApp(t: TestContext, faults: string[] = []) {
  const app = buildMockApp({ fixtures: writeFixtureDirectory(t, ALL_TEST_FIXTURES), speed: 0, faults });
  t.after(() => app.close());
  return app;
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const openaiHeaders = { authorization: 'Bearer k', 'content-type': 'application/json' };
const anthropicHeaders = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const anthropicBody = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };

test('a status fault answers with the recorded error fixture and the requested retry hint', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: { ...openaiHeaders, 'x-aigw-mock-fault': 'status=429,retry_after=7' }, payload: chat });
  assert.equal(response.statusCode, 429);
  assert.equal(response.headers['retry-after'], '7');
  assert.deepEqual(response.json(), { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
});

test('without a recorded fixture, a status fault builds the provider\'s own error body and retry headers', async (t) => {
  const app = mockApp(t);
  const fault = (url: string, headers: Record<string, string>, payload: object, spec: string) =>
    app.inject({ method: 'POST', url, headers: { ...headers, 'x-aigw-mock-fault': spec }, payload });

  const openai500 = await fault('/openai/v1/chat/completions', openaiHeaders, chat, 'status=500');
  assert.equal(openai500.statusCode, 500);
  assert.equal(openai500.json<{ error: { type: string } }>().error.type, 'server_error');

  const overloaded = await fault('/anthropic/v1/messages', anthropicHeaders, anthropicBody, 'status=529,retry_after=3');
  assert.equal(overloaded.statusCode, 529);
  assert.equal(overloaded.headers['retry-after'], '3');
  assert.deepEqual(overloaded.json(), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: overloaded.headers['request-id'] });

  const gemini = await fault('/gemini/v1beta/models/g:generateContent', { 'x-goog-api-key': 'k' }, { contents: [{ parts: [{ text: 'x' }] }] }, 'status=429,retry_after=34');
  assert.equal(gemini.statusCode, 429);
  assert.equal(gemini.headers['retry-after'], undefined, 'Gemini signals retry in the body');
  assert.deepEqual(gemini.json<{ error: { status: string; details: unknown } }>().error.details, [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34s' }]);
  assert.equal(gemini.json<{ error: { status: string } }>().error.status, 'RESOURCE_EXHAUSTED');

  const bedrock = await fault('/bedrock/model/m/converse', { authorization: 'Bearer k' }, { messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'status=429,retry_after=2');
  assert.equal(bedrock.statusCode, 429);
  assert.match(String(bedrock.headers['x-amzn-errortype']), /^ThrottlingException:/);
  assert.equal(bedrock.headers['retry-after'], undefined, 'Bedrock sends no retry header');

  const azure = await fault('/azure-openai/openai/deployments/d/chat/completions?api-version=2024-10-21', { 'api-key': 'k' }, { messages: chat.messages }, 'status=429,retry_after=2');
  assert.equal(azure.headers['retry-after-ms'], '2000');
  assert.deepEqual(azure.json<{ error: { code: string } }>().error.code, '429');
});

test('a bad fault header is the mock\'s own 400', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: { ...openaiHeaders, 'x-aigw-mock-fault': 'status=9' }, payload: chat });
  assert.equal(response.statusCode, 400);
  assert.match(response.json<{ error: { message: string } }>().error.message, /bad x-aigw-mock-fault: .*400-599/);
});

test('"500 once, then healthy": a global fault with first=1', async (t) => {
  const app = mockApp(t, ['provider=openai,status=500,first=1']);
  const send = () => app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: openaiHeaders, payload: chat });
  assert.equal((await send()).statusCode, 500);
  assert.equal((await send()).statusCode, 200);
  const anthropic = await app.inject({ method: 'POST', url: '/anthropic/v1/messages', headers: anthropicHeaders, payload: anthropicBody });
  assert.equal(anthropic.statusCode, 200, 'scoped to openai');
});

test('global faults can be replaced at run time through PUT /__mock/faults', async (t) => {
  const app = mockApp(t);
  const put = await app.inject({ method: 'PUT', url: '/__mock/faults', payload: { faults: ['model=gpt-*,status=503'] } });
  assert.deepEqual(put.json(), { faults: ['model=gpt-*,status=503'] });
  assert.equal((await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: openaiHeaders, payload: chat })).statusCode, 503);
  assert.equal((await app.inject({ method: 'PUT', url: '/__mock/faults', payload: { faults: ['bogus'] } })).statusCode, 400);
  await app.inject({ method: 'PUT', url: '/__mock/faults', payload: { faults: [] } });
  assert.equal((await app.inject({ method: 'POST', url: '/openai/v1/chat/completions', headers: openaiHeaders, payload: chat })).statusCode, 200);
});

test('reject_prefill turns away a request ending with an assistant turn, and only that one', async (t) => {
  const app = mockApp(t, ['reject_prefill']);
  const prefilled = { ...anthropicBody, messages: [...anthropicBody.messages, { role: 'assistant', content: 'The answer is' }] };
  const rejected = await app.inject({ method: 'POST', url: '/anthropic/v1/messages', headers: anthropicHeaders, payload: prefilled });
  assert.equal(rejected.statusCode, 400);
  assert.equal(rejected.json<{ error: { type: string } }>().error.type, 'invalid_request_error');
  assert.match(rejected.body, /prefill/);
  assert.equal((await app.inject({ method: 'POST', url: '/anthropic/v1/messages', headers: anthropicHeaders, payload: anthropicBody })).statusCode, 200);
});

const streamRequest = { ...anthropicBody, stream: true };
const events = (body: string): string[] => [...body.matchAll(/^event: (\S+)$/gm)].map((match) => match[1] ?? '');

test('stream faults: cut_after ends early without a terminator, no_terminator drops only the last event', async (t) => {
  const app = mockApp(t);
  const stream = (spec?: string) => app.inject({
    method: 'POST', url: '/anthropic/v1/messages', payload: streamRequest,
    headers: spec === undefined ? anthropicHeaders : { ...anthropicHeaders, 'x-aigw-mock-fault': spec },
  });
  assert.deepEqual(events((await stream()).body), ['message_start', 'content_block_delta', 'message_delta', 'message_stop']);
  assert.deepEqual(events((await stream('cut_after=2')).body), ['message_start', 'content_block_delta']);
  assert.deepEqual(events((await stream('no_terminator')).body), ['message_start', 'content_block_delta', 'message_delta']);
});

test('malformed_at=N breaks the JSON of chunk N only', async (t) => {
  const app = mockApp(t);
  const response = await app.inject({ method: 'POST', url: '/anthropic/v1/messages', payload: streamRequest, headers: { ...anthropicHeaders, 'x-aigw-mock-fault': 'malformed_at=2' } });
  const data = [...response.body.matchAll(/^data: (.*)$/gm)].map((match) => match[1] ?? '');
  assert.equal(data.length, 4);
  assert.doesNotThrow(() => JSON.parse(data[0] ?? ''));
  assert.throws(() => JSON.parse(data[1] ?? ''));
  assert.doesNotThrow(() => JSON.parse(data[2] ?? ''));
  assert.deepEqual(events(response.body), ['message_start', 'content_block_delta', 'message_delta', 'message_stop']);
});

test('"down for 60 s, then healthy": a global fault with for_ms, on the mock\'s clock', async (t) => {
  const { createManualClock } = await import('../../helpers/virtual-clock.js');
  const clock = createManualClock();
  const app = buildMockApp({ fixtures: writeFixtureDirectory(t, ALL_TEST_FIXTURES), speed: 0, faults: ['provider=anthropic,status=529,for_ms=60000'], clock });
  t.after(() => app.close());
  const send = () => app.inject({ method: 'POST', url: '/anthropic/v1/messages', headers: anthropicHeaders, payload: anthropicBody });
  assert.equal((await send()).statusCode, 529);
  await clock.advance(59_999);
  assert.equal((await send()).statusCode, 529);
  await clock.advance(1);
  assert.equal((await send()).statusCode, 200);
});
