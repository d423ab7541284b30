/**
 * Graceful shutdown (design §5, issue 9 item 7). A spawned `aigw serve` process gets SIGTERM during a
 * slow stream: new connections are refused at once, the stream still completes, the audit record is
 * written and the process exits 0. In-process, a drain that reaches its deadline stops what is left:
 * a stream ends with an in-band `shutting_down` error event (the SDK throws, never a silent cut) and a
 * request still waiting for its first byte gets a 503 envelope.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import {
  eventually, mockProviders, startTestGateway, startTestMock, tempDirectory,
} from './helpers/gateway-harness.js';
import { spawnServe } from './helpers/spawn-serve.js';

const messages = [{ role: 'user' as const, content: 'Hello' }];
const ANTHROPIC_TEXT = 'Hello! Nice to meet you.';

/** Resolves once a fresh TCP connection to the URL's port is refused (polls every 20 ms). */
async function connectionRefused(url: string): Promise<true> {
  const { hostname, port } = new URL(url);
  return eventually(() => new Promise<true | undefined>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => { socket.destroy(); resolve(undefined); });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? true : undefined));
  }), 3_000, 'connection refused');
}

test('SIGTERM during a slow stream: new connections are refused, the stream completes, the process exits 0', async (t) => {
  const mock = await startTestMock(t);
  // The stream pauses 1.5 s after its first text: SIGTERM lands in the middle of it.
  mock.setFaults(['model=claude-drain,stall=1500,stall_after=4']);
  const directory = await tempDirectory(t);
  const manifestFile = join(directory, 'routes.yaml');
  await writeFile(manifestFile, `
${mockProviders(mock.url, { anthropic: 'anthropic' })}
ai_routes:
  - name: drain
    match: { model: "drain" }
    targets: [ { provider: anthropic, model: claude-drain } ]
    stream_idle_timeout_ms: 10000
`);
  const auditFile = join(directory, 'audit.jsonl');
  const serve = await spawnServe(t, [manifestFile, '--audit-file', auditFile, '--drain-timeout-ms', '10000']);
  const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'anything', maxRetries: 0 });

  const stream = await client.chat.completions.create({ model: 'drain', messages, stream: true }, { headers: { 'x-request-id': 'drain-1' } });
  const chunks: ChatCompletionChunk[] = [];
  let refusedWhileStreaming = false;
  let chunksAfterRefusal = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    if (refusedWhileStreaming) chunksAfterRefusal += 1;
    if (!refusedWhileStreaming && (chunk.choices[0]?.delta.content ?? '') !== '') {
      serve.child.kill('SIGTERM');
      refusedWhileStreaming = await connectionRefused(serve.url);
    }
  }
  assert.ok(refusedWhileStreaming, 'new connections were refused while the stream was in flight');
  assert.ok(chunksAfterRefusal > 0, 'the stream went on after the listener closed');
  assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), ANTHROPIC_TEXT);
  assert.deepEqual(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter((reason) => reason !== null && reason !== undefined), ['stop']);

  const exit = await serve.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, serve.stderr());
  assert.match(serve.stderr(), /draining in-flight requests/);
  assert.match(serve.stderr(), /stopped cleanly/);
  const records = (await readFile(auditFile, 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { http: { request: { id: string } }; aigw: { stream: boolean } });
  assert.equal(records.filter((record) => record.http.request.id === 'drain-1').length, 1, 'the audit record was flushed before exit');
});

test('a drain that reaches its deadline ends open streams with a shutting_down error event and 503s the waiting requests', async (t) => {
  const mock = await startTestMock(t);
  mock.setFaults(['model=claude-endless,stall=20000,stall_after=4', 'model=gpt-waiting,delay_headers=20000']);
  const handle = await startTestGateway(t, `
${mockProviders(mock.url, { anthropic: 'anthropic', openai: 'openai' })}
ai_routes:
  - name: endless
    match: { model: "endless" }
    targets: [ { provider: anthropic, model: claude-endless } ]
    stream_idle_timeout_ms: 30000
  - name: waiting
    match: { model: "waiting" }
    targets: [ { provider: openai, model: gpt-waiting } ]
`, { settings: { drainTimeoutMs: 300 } });

  const stream = await handle.client.chat.completions.create({ model: 'endless', messages, stream: true });
  const waiting = handle.client.chat.completions.create({ model: 'waiting', messages });
  waiting.catch(() => undefined);
  const iterator = stream[Symbol.asyncIterator]();
  let text = '';
  while (text === '') {
    const next = await iterator.next();
    assert.equal(next.done, false);
    text += next.value.choices[0]?.delta.content ?? '';
  }
  await eventually(() => mock.log().find((entry) => entry.model === 'gpt-waiting'), 2_000, 'the waiting request upstream');

  const closed = handle.gateway.close();
  await assert.rejects(async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
    }
  }, (error: unknown) => {
    assert.ok(error instanceof APIError, `APIError, got ${String(error)}`);
    assert.equal(error.code, 'shutting_down');
    return true;
  });
  await assert.rejects(waiting, (error: unknown) => {
    assert.ok(error instanceof APIError);
    assert.equal(error.status, 503);
    assert.equal(error.code, 'shutting_down');
    return true;
  });
  assert.deepEqual(await closed, { forced: true });
  // Both upstream calls were abandoned rather than left running.
  await eventually(() => mock.log().every((entry) => entry.clientClosed !== null) ? true : undefined, 2_000, 'upstream sockets closed');
});
