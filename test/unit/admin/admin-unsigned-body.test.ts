/**
 * The admin port is reachable by whoever can reach it: a request nobody signed is refused from its
 * headers, before its body — which is read past and thrown away, never buffered — so unsigned
 * uploads cannot fill the gateway's memory. A signed request still sends its body as before.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ed25519Key, listenGateway, MANIFEST_B, signedHeaders } from './admin-harness.js';
import { realClock } from '../../../runtime/clock.js';

async function answerBeforeBody(url: string, head: string): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { answer += chunk; });
  socket.on('error', () => undefined);
  socket.write(head);
  // Not one byte of the announced body is sent.
  for (let waited = 0; !/\r\n\r\n[\s\S]*\}$/.test(answer) && waited < 3_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  socket.destroy();
  return answer;
}

test('an unsigned admin upload is a 401 before its body is read; a forged signature too', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const unsigned = await answerBeforeBody(gateway.url, 'POST /admin/reload HTTP/1.1\r\nhost: x\r\ncontent-type: application/yaml\r\ncontent-length: 2000000\r\n\r\n');
  assert.match(unsigned, /^HTTP\/1\.1 401 /);
  assert.match(unsigned, /"code":"signature_missing"/);
  // Headers of the right shape, a signature nobody made.
  const forged = signedHeaders({ method: 'POST', url: '/admin/reload', body: MANIFEST_B }, ed25519Key(key.keyId), realClock);
  const head = `POST /admin/reload HTTP/1.1\r\nhost: x\r\ncontent-type: application/yaml\r\ncontent-length: ${Buffer.byteLength(MANIFEST_B)}\r\n${Object.entries(forged).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`;
  const refused = await answerBeforeBody(gateway.url, head);
  assert.match(refused, /^HTTP\/1\.1 401 /);
  assert.match(refused, /"code":"signature_invalid"/);
  // The real key's request, with its body, is accepted.
  const good = signedHeaders({ method: 'POST', url: '/admin/reload?dry_run=true', body: MANIFEST_B }, key, realClock);
  const response = await fetch(`${gateway.url}/admin/reload?dry_run=true`, { method: 'POST', headers: { ...good, 'content-type': 'application/yaml' }, body: MANIFEST_B });
  assert.equal(response.status, 200, await response.text());
});

test('a replayed signed request is refused from its headers too, before its body (whoever saw one request could otherwise make the gateway buffer bodies)', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const headers = signedHeaders({ method: 'POST', url: '/admin/reload?dry_run=true', body: MANIFEST_B }, key, realClock);
  const first = await fetch(`${gateway.url}/admin/reload?dry_run=true`, { method: 'POST', headers: { ...headers, 'content-type': 'application/yaml' }, body: MANIFEST_B });
  assert.equal(first.status, 200);
  const head = `POST /admin/reload?dry_run=true HTTP/1.1\r\nhost: x\r\ncontent-type: application/yaml\r\ncontent-length: ${Buffer.byteLength(MANIFEST_B)}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`;
  const replayed = await answerBeforeBody(gateway.url, head);
  assert.match(replayed, /^HTTP\/1\.1 401 /);
  assert.match(replayed, /"code":"signature_replayed"/);
});
