/**
 * The benchmark's floor proxy (bench/floor-proxy.ts): piped by default, and with `buffered` a unary
 * answer read whole and sent as one string (the reference row of the README), streams still piped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createFloorProxy } from '../../bench/floor-proxy.js';

const ANSWER = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [] });

/** An upstream that answers JSON, or two SSE events for `stream: true`, and remembers the bodies it got. */
async function upstream(t: { after(fn: () => unknown): void }): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (part: string) => { body += part; });
    request.on('end', () => {
      bodies.push(body);
      if ((JSON.parse(body) as { stream?: boolean }).stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        setTimeout(() => response.end('data: [DONE]\n\n'), 20);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(ANSWER);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('the floor proxy', () => {
  for (const buffered of [false, true]) {
    test(`${buffered ? 'buffered' : 'piped'}: relays a unary answer and a stream byte for byte`, async (t) => {
      const origin = await upstream(t);
      const app = createFloorProxy(origin.url, { buffered });
      t.after(() => app.close());
      const unary = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'm', messages: [] } });
      assert.equal(unary.statusCode, 200);
      assert.match(String(unary.headers['content-type']), /^application\/json/);
      assert.equal(unary.body, ANSWER);
      const stream = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'm', messages: [], stream: true } });
      assert.equal(stream.headers['content-type'], 'text/event-stream');
      assert.equal(stream.body, 'data: {"n":1}\n\ndata: [DONE]\n\n');
      assert.deepEqual(origin.bodies.map((body) => JSON.parse(body) as unknown), [{ model: 'm', messages: [] }, { model: 'm', messages: [], stream: true }]);
    });
  }

  test('with an audit file: one JSON line per request, with its request id, status and the prompt\'s sha256', async (t) => {
    const origin = await upstream(t);
    const directory = await mkdtemp(join(tmpdir(), 'aigw-floor-audit-'));
    t.after(() => rm(directory, { recursive: true, force: true }));
    const file = join(directory, 'audit.jsonl');
    const app = createFloorProxy(origin.url, { auditFile: file });
    const messages = [{ role: 'user', content: 'Hi' }];
    for (let index = 0; index < 3; index += 1) {
      const answer = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'm', messages }, headers: { 'x-n': String(index) } });
      assert.equal(answer.statusCode, 200);
    }
    await app.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { http: { request: { id: string }; response: { status_code: number } }; floor: { prompt: { sha256: string } } });
    assert.equal(lines.length, 3);
    assert.equal(new Set(lines.map((line) => line.http.request.id)).size, 3);
    assert.ok(lines.every((line) => line.http.response.status_code === 200));
    assert.equal(lines[0]?.floor.prompt.sha256, createHash('sha256').update(JSON.stringify(messages)).digest('hex'));
  });
});
