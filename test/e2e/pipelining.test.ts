/**
 * HTTP/1.1 pipelining: requests sent back to back on one connection before any answer. A bad JSON
 * body does not cost the requests queued behind it their answers, and a connection that closes while
 * a pipelined request waits for its turn still ends that request: its upstream call is aborted, it
 * leaves its 499 audit record, and the in-flight gauge returns to zero.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { eventually, gatewaySuite, metricValue, mockProviders, type GatewayHandle } from './helpers/gateway-harness.js';

function rawPost(body: string): string {
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const chat = (model: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] });

describe('pipelined requests', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - name: quick
    match: { model: "quick" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
  - name: waiting
    match: { model: "waiting" }
    targets: [ { provider: openai, model: gpt-waiting } ]
`);

  test('a request pipelined after an invalid JSON body is answered on the same connection', async () => {
    const { port } = new URL(handle.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => { received += data; });
    socket.write(rawPost('{"model":') + rawPost(chat('quick')));
    const answers = await eventually(() => {
      const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => match[1]);
      return statuses.length === 2 ? statuses : undefined;
    }, 3_000, 'two answers on the connection');
    socket.destroy();
    assert.deepEqual(answers, ['400', '200']);
    assert.doesNotMatch(received, /^connection: close/im);
  });

  test('a pipelined request whose connection closes while it waits its turn is aborted and audited as 499', async () => {
    mock.setFaults(['model=gpt-waiting,delay_headers=5000']);
    const { port } = new URL(handle.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(rawPost(chat('waiting')) + rawPost(chat('waiting')));
    await eventually(() => (mock.log().filter((entry) => entry.model === 'gpt-waiting').length === 2 ? true : undefined), 2_000, 'both upstream requests');
    socket.destroy();
    const records = await eventually(async () => {
      const waiting = (await handle.auditRecords()).filter((line) => line.aigw.route === 'waiting');
      return waiting.length === 2 ? waiting : undefined;
    }, 3_000, 'two audit records (before the upstream answers at 5 s)');
    assert.deepEqual(records.map((record) => record.http.response.status_code), [499, 499]);
    assert.ok(records.every((record) => record.aigw.client_aborted === true));
    const closed = await eventually(() => {
      const entries = mock.log().filter((entry) => entry.model === 'gpt-waiting' && entry.clientClosed !== undefined);
      return entries.length === 2 ? entries : undefined;
    }, 2_000, 'both upstream calls aborted');
    assert.ok(closed.every((entry) => (entry.clientClosed?.atMs ?? Infinity) < 5_000));
    await eventually(async () => (metricValue(await handle.metricsText(), 'aigw_inflight_requests') === 0 ? true : undefined), 2_000, 'in-flight gauge back to zero');
  });
});
