/**
 * Requests that never reach a handler, over raw sockets: HTTP Node cannot parse and URLs Fastify
 * cannot decode still get OpenAI's envelope and an x-request-id; a body that stops arriving is cut
 * by the request timeout (408); a client that leaves mid-body leaves one audit record (499), and none
 * of these is logged as an unexpected error.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { eventually, mockProviders, startTestGateway, startTestMock, suiteScope, type GatewayHandle } from './helpers/gateway-harness.js';

const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });

/** Opens a socket to the gateway and writes `data`. */
async function open(url: string, data: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(data);
  return socket;
}

/** Everything the server sends until it closes the connection. */
async function readAll(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { text += chunk; });
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return text;
}

function parseAnswer(raw: string): { status: number; headers: Map<string, string>; body: { error: { type: string; code: string; message: string } } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as { error: { type: string; code: string; message: string } } };
}

function headers(length: number, requestId: string): string {
  return `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\nx-request-id: ${requestId}\r\n\r\n`;
}

describe('connection-level errors', () => {
  const scope = suiteScope(after);
  let mock: RunningMock;
  let handle: GatewayHandle;
  before(async () => {
    mock = await startTestMock(scope);
    handle = await startTestGateway(scope, `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
`, { overrides: { requestTimeout: { ms: 600, checkEveryMs: 100 } } });
  });

  const unexpectedErrors = (): number => handle.logLines().filter((line) => line['msg'] === 'unexpected error').length;

  test('a request Node cannot parse gets the envelope (400 invalid_http), an x-request-id, and the connection closes', async () => {
    const answer = parseAnswer(await readAll(await open(handle.url, 'THIS IS NOT HTTP\r\n\r\n')));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'invalid_http');
    assert.equal(answer.body.error.type, 'invalid_request_error');
    assert.match(answer.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    assert.equal(answer.headers.get('connection'), 'close');
  });

  test('headers over Node\'s limit get the envelope: 431 request_header_fields_too_large', async () => {
    const answer = parseAnswer(await readAll(await open(handle.url, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)));
    assert.equal(answer.status, 431);
    assert.equal(answer.body.error.code, 'request_header_fields_too_large');
  });

  test('a URL Fastify cannot decode gets the envelope with the request id', async () => {
    const response = await fetch(`${handle.url}/v1/chat/completions%ff`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad-url-1' }, body: BODY });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-request-id'), 'bad-url-1');
    const body = await response.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_http');
    assert.match(body.error.message, /The request URL is not valid/);
    // The request is well framed: its body is read past and a request pipelined behind it is answered.
    const socket = await open(handle.url, `POST /v1/%ff HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    const both = await readAll(socket);
    assert.match(both, /^HTTP\/1\.1 400 [\s\S]*"code":"invalid_http"[\s\S]*HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
    assert.doesNotMatch(both.split('HTTP/1.1 200')[0] ?? '', /connection: close/i);
  });

  test('a body that stops arriving is cut by the request timeout: 408 in the envelope, one audit record with 408', async () => {
    const before = (await handle.auditRecords()).length;
    const socket = await open(handle.url, `${headers(BODY.length, 'slow-body-1')}${BODY.slice(0, 10)}`);
    const answer = parseAnswer(await readAll(socket));
    assert.equal(answer.status, 408);
    assert.equal(answer.body.error.code, 'request_timeout');
    // The answer and the record name the same request.
    assert.equal(answer.headers.get('x-request-id'), 'slow-body-1');
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.http.request.id === 'slow-body-1'), 3_000, 'the audit record');
    assert.equal(record.http.response.status_code, 408);
    assert.equal(record.error?.code, 'AIGW_E_REQUEST_TIMEOUT');
    assert.equal((await handle.auditRecords()).length, before + 1);
    assert.equal(unexpectedErrors(), 0);
  });

  test('a client that leaves mid-body leaves exactly one audit record (499, client_aborted), and no error is logged', async () => {
    const socket = await open(handle.url, `${headers(BODY.length, 'left-mid-body-1')}${BODY.slice(0, 20)}`);
    // Let the gateway start reading the body, then leave.
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const record = await eventually(async () => (await handle.auditRecords()).find((line) => line.http.request.id === 'left-mid-body-1'), 3_000, 'the audit record');
    assert.equal(record.http.response.status_code, 499);
    assert.equal(record.aigw.client_aborted, true);
    assert.equal((await handle.auditRecords()).filter((line) => line.http.request.id === 'left-mid-body-1').length, 1);
    assert.equal(unexpectedErrors(), 0);
    // The gateway still answers.
    const ok = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(ok.object, 'chat.completion');
  });
});
