/**
 * Text a gateway sends (an error message, a version) reaches the operator's terminal through apply,
 * rollback and diff --gateway as it does through status: control characters escaped, so an answer
 * cannot clear the screen, retitle the terminal or forge an "applied" line.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { hmacKey, MANIFEST_B, writeKeyFile } from '../unit/admin/admin-harness.js';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\nhttp://127.0.0.1:9: applied 000000000000';

async function hostileGateway(t: TestContext, answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function refuse(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(401, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { message: HOSTILE, type: 'authentication_error', param: null, code: 'signature_invalid' } }));
}

function assertNoControlCharacters(text: string): void {
  // Newlines are the output's own; a gateway's newline would show as a forged line, checked below.
  assert.doesNotMatch(text.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(text));
  assert.doesNotMatch(text, /^http:\/\/127\.0\.0\.1:9: applied/m, 'a forged line');
}

test('apply, rollback and diff --gateway escape a gateway\'s error message', async (t) => {
  const url = await hostileGateway(t, refuse);
  const { flags, directory } = writeKeyFile(t, hmacKey());
  const manifest = join(directory, 'routes.yaml');
  writeFileSync(manifest, MANIFEST_B);
  for (const argv of [['apply', manifest, '--yes'], ['rollback'], ['diff', manifest]]) {
    const io = createTestIo();
    const code = await main([...argv, '--gateway', url, ...flags], io);
    assert.notEqual(code, ExitCode.Ok, argv[0]);
    assert.match(io.err(), /pwned/, argv[0]);
    assertNoControlCharacters(io.out() + io.err());
  }
});

test('apply escapes the versions a gateway answers with', async (t) => {
  const live = 'a'.repeat(64);
  const version = `\u001b[2J${'b'.repeat(60)}`;
  const url = await hostileGateway(t, (request, response) => {
    const body = request.url?.includes('dry_run')
      ? { liveVersion: live, version: 'c'.repeat(64), changeSet: { changed: true, routes: [], providers: [], credentials: [], audit: [] } }
      : { previousVersion: live, version };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const { flags, directory } = writeKeyFile(t, hmacKey());
  const manifest = join(directory, 'routes.yaml');
  writeFileSync(manifest, MANIFEST_B);
  const io = createTestIo();
  assert.equal(await main(['apply', manifest, '--yes', '--if-match', 'none', '--gateway', url, ...flags], io), ExitCode.Ok, io.err());
  assert.match(io.out(), /applied \\u001b\[2Jbbbb/);
  assertNoControlCharacters(io.out() + io.err());
});
