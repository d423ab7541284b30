/** `aigw status`: every gateway's version, load time, uptime and replica id; drift → exit 1. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { hmacKey, listenGateway, MANIFEST_B, writeKeyFile } from '../unit/admin/admin-harness.js';

test('gateways on one version: a row each (replica, version, load time, uptime) and exit 0', async (t) => {
  const key = hmacKey();
  const first = await listenGateway(t, { keys: [key], replicaId: 'pod-a' });
  const second = await listenGateway(t, { keys: [key], replicaId: 'pod-b' });
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['status', '--gateway', first.url, '--gateway', second.url, ...flags], io);
  assert.equal(code, ExitCode.Ok, io.err());
  const version = first.plane.holder.current().version.slice(0, 12);
  assert.match(io.out(), /^GATEWAY\s+REPLICA\s+VERSION\s+LOADED\s+UPTIME\s+STORE\s+LAST RELOAD$/m);
  assert.match(io.out(), new RegExp(`^${first.url}\\s+pod-a\\s+${version}\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+\\d+s\\s+memory\\s+-$`, 'm'));
  assert.match(io.out(), new RegExp(`^${second.url}\\s+pod-b\\s+${version}`, 'm'));
  assert.match(io.out(), new RegExp(`in sync: 2 of 2 gateways run ${version}`));
});

test('two live versions are drift: exit 1, and the JSON names both', async (t) => {
  const key = hmacKey();
  const first = await listenGateway(t, { keys: [key], replicaId: 'pod-a' });
  const second = await listenGateway(t, { keys: [key], replicaId: 'pod-b' });
  await second.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const { flags } = writeKeyFile(t, key);
  const text = createTestIo();
  assert.equal(await main(['status', '--gateway', first.url, '--gateway', second.url, ...flags], text), ExitCode.Findings);
  assert.match(text.out(), /DRIFT: 2 versions live/);
  const json = createTestIo();
  assert.equal(await main(['status', '--gateway', first.url, '--gateway', second.url, '--format', 'json', ...flags], json), ExitCode.Findings);
  const report = JSON.parse(json.out());
  assert.equal(report.drift, true);
  assert.deepEqual(report.versions, [first.plane.holder.current().version, second.plane.holder.current().version].sort());
  assert.deepEqual(report.gateways.map((row: { replicaId: string }) => row.replicaId), ['pod-a', 'pod-b']);
  assert.equal(report.gateways[1].lastReload.outcome, 'applied');
});

test('an unreachable gateway is listed as such and the exit code is 2', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['status', '--gateway', gateway.url, '--gateway', 'http://127.0.0.1:1', ...flags], io), ExitCode.Usage);
  assert.match(io.out(), /http:\/\/127\.0\.0\.1:1\s+-\s+unreachable/);
  assert.match(io.err(), /connection refused/);
});

test('a dns+http:// gateway reaches every address the name resolves to', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key], replicaId: 'only' });
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  const port = new URL(gateway.url).port;
  assert.equal(await main(['status', '--gateway', `dns+http://localhost:${port}`, '--format', 'json', ...flags], io), io.err().includes('::1') ? ExitCode.Usage : ExitCode.Ok);
  const report = JSON.parse(io.out());
  assert.ok(report.gateways.some((row: { gateway: string; replicaId?: string }) => row.gateway === `http://127.0.0.1:${port}` && row.replicaId === 'only'));
});

/** A server on 127.0.0.1:0 answering every request with `body` (JSON), whatever its signature. */
async function fakeGateway(t: { after: (fn: () => Promise<void>) => void }, body: unknown): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

test('a foreign answer (no string version) is a refusal, never a gateway "in sync" on version "?"', async (t) => {
  const key = hmacKey();
  const { flags } = writeKeyFile(t, key);
  const url = await fakeGateway(t, { replicaId: { nested: true }, uptimeSeconds: 'long' });
  const io = createTestIo();
  assert.equal(await main(['status', '--gateway', url, ...flags], io), ExitCode.Findings);
  assert.match(io.out(), new RegExp(`^${url}\\s+-\\s+refused`, 'm'));
  assert.doesNotMatch(io.out(), /in sync/);
  assert.match(io.err(), /not an aigw admin status/);
});

test('text a gateway sends cannot drive the terminal: control characters are printed as escapes', async (t) => {
  const key = hmacKey();
  const { flags } = writeKeyFile(t, key);
  const url = await fakeGateway(t, { version: 'a'.repeat(64), replicaId: '\u001b]0;owned\u0007pod\nhttp://forged  row', loadedAt: '2026-01-01T00:00:00Z', uptimeSeconds: 5, store: 'memory' });
  const io = createTestIo();
  assert.equal(await main(['status', '--gateway', url, ...flags], io), ExitCode.Ok);
  assert.doesNotMatch(io.out(), /[\u0000-\u0009\u000b-\u001f\u007f]/);
  assert.match(io.out(), /\\u001b\]0;owned\\u0007pod\\u000ahttp:\/\/forged {2}row/);
  assert.equal(io.out().split('\n').filter((line) => line.startsWith('http://')).length, 1);
});

test('a replica whose config store does not answer is flagged and exits 1: in sync only by chance', async (t) => {
  const key = hmacKey();
  const { flags } = writeKeyFile(t, key);
  const url = await fakeGateway(t, { version: 'b'.repeat(64), replicaId: 'pod-x', loadedAt: '2026-01-01T00:00:00Z', uptimeSeconds: 5, store: 'redis', storeError: 'The shared config store (Redis) did not answer (history); nothing changed.' });
  const io = createTestIo();
  assert.equal(await main(['status', '--gateway', url, ...flags], io), ExitCode.Findings);
  assert.match(io.out(), /redis \(unreachable\)/);
  assert.match(io.err(), /its config store did not answer/);
});
