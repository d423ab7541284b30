/** `aigw rollback`: signed rollback per gateway; one resolved target for all; unknown version → exit 1. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { ed25519Key, listenGateway, MANIFEST_B, manifestNumbered, writeKeyFile } from '../unit/admin/admin-harness.js';

test('rollback without --to returns each gateway to its previous version and prints it', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const original = gateway.plane.holder.current().version;
  await gateway.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, ...flags], io), ExitCode.Ok, io.err());
  assert.match(io.out(), new RegExp(`rolled back to ${original.slice(0, 12)} \\(was [0-9a-f]{12}\\)`));
  assert.equal(gateway.plane.holder.current().version, original);
});

test('with several gateways, the first one\'s previous version is the target for all (never N steps back)', async (t) => {
  const key = ed25519Key();
  const first = await listenGateway(t, { keys: [key], replicaId: 'a' });
  const second = await listenGateway(t, { keys: [key], replicaId: 'b' });
  // The second gateway has one version more in its history than the first.
  for (const [gateway, texts] of [[first, [manifestNumbered(1)]], [second, [manifestNumbered(1), manifestNumbered(2)]]] as const) {
    for (const text of texts) await gateway.plane.applier.apply({ text, file: 'x', origin: 'reload' });
  }
  const target = (await first.plane.store.history())[0]?.version;
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo({});
  assert.equal(await main(['rollback', '--gateway', first.url, '--gateway', second.url, ...flags], io), ExitCode.Ok, io.err());
  assert.equal(first.plane.holder.current().version, target);
  assert.equal(second.plane.holder.current().version, target);
});

test('rollback --to an unknown version: exit 1 with version_not_found, nothing changed', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const before = gateway.plane.holder.current().version;
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--to', 'abcdef1234', ...flags], io), ExitCode.Findings);
  assert.match(io.err(), /version_not_found/);
  assert.equal(gateway.plane.holder.current().version, before);
  const usage = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--to', 'HEAD~1', ...flags], usage), ExitCode.Usage);
});

test('one unreachable gateway means nothing is rolled back anywhere: the fleet is never left half rolled back (exit 2)', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  await gateway.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const live = gateway.plane.holder.current().version;
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--gateway', 'http://127.0.0.1:1', ...flags], io), ExitCode.Usage);
  assert.equal(gateway.plane.holder.current().version, live, 'the reachable gateway kept its version');
  assert.match(io.err(), /nothing rolled back: 1 of 2 gateway\(s\) did not answer/);
  assert.doesNotMatch(io.out(), /rolled back to/);
});

test('the first gateway is rolled back with If-Match on the version it ran at the pre-flight, so a concurrent change makes it a 412, not an undo of it', async (t) => {
  const { createServer } = await import('node:http');
  const version = 'c'.repeat(64);
  const seen: { method: string; ifMatch: string | undefined }[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', ifMatch: request.headers['if-match'] });
    request.resume();
    const body = request.method === 'GET' ? { version, replicaId: 'r' } : { error: { message: 'If-Match differs from the live manifest version.', type: 'invalid_request_error', param: null, code: 'version_conflict' } };
    response.writeHead(request.method === 'GET' ? 200 : 412, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const { flags } = writeKeyFile(t, ed25519Key());
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', url, ...flags], io), ExitCode.Findings);
  assert.deepEqual(seen, [{ method: 'GET', ifMatch: undefined }, { method: 'POST', ifMatch: `"${version}"` }]);
  assert.match(io.err(), /412|If-Match/);
});

test('rollback --to a version two steps back (its first 12 hex digits): exit 0, that version is live', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const original = gateway.plane.holder.current().version;
  for (const text of [manifestNumbered(1), manifestNumbered(2)]) await gateway.plane.applier.apply({ text, file: 'x', origin: 'reload' });
  const was = gateway.plane.holder.current().version;
  assert.notEqual(was, original);
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--to', original.slice(0, 12), ...flags], io), ExitCode.Ok, io.err());
  assert.match(io.out(), new RegExp(`rolled back to ${original.slice(0, 12)} \\(was ${was.slice(0, 12)}\\)`));
  assert.equal(gateway.plane.holder.current().version, original);
});

test('rollback to a version that no longer validates there: exit 1, and --format json carries the 422\'s diagnostics as apply does', async (t) => {
  const key = ed25519Key();
  const env: Record<string, string | undefined> = { ROUTE_MODEL: 'm-env' };
  const gateway = await listenGateway(t, { keys: [key], plane: { env } });
  const needsVariable = 'ai_routes:\n  - name: r\n    match: { model: "${ROUTE_MODEL}" }\n    targets: [ { provider: openai, model: gpt-4o-mini } ]\n';
  await gateway.plane.applier.apply({ text: needsVariable, file: 'x', origin: 'reload' });
  const target = gateway.plane.holder.current().version;
  await gateway.plane.applier.apply({ text: manifestNumbered(1), file: 'x', origin: 'reload' });
  const live = gateway.plane.holder.current().version;
  // The variable is gone from the gateway's environment (a restarted replica without it, say).
  delete env['ROUTE_MODEL'];
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--to', target, '--format', 'json', ...flags], io), ExitCode.Findings, io.err());
  assert.equal(gateway.plane.holder.current().version, live);
  const [outcome] = JSON.parse(io.out()).gateways;
  assert.equal(outcome.result, 'rejected');
  assert.equal(outcome.status, 422);
  assert.ok(outcome.diagnostics.some((diagnostic: { ruleId: string; severity: string }) => diagnostic.ruleId === 'env/missing-variable' && diagnostic.severity === 'error'), io.out());
});

test('when the first gateway refuses (a concurrent change: 412), the others are not rolled back either: no split fleet', async (t) => {
  const { createServer } = await import('node:http');
  // The first gateway answers the pre-flight, then refuses the rollback as a concurrent change would.
  const server = createServer((request, response) => {
    request.resume();
    const body = request.method === 'GET' ? { version: 'c'.repeat(64), replicaId: 'first' } : { error: { message: 'If-Match differs from the live manifest version.', type: 'invalid_request_error', param: null, code: 'version_conflict' } };
    response.writeHead(request.method === 'GET' ? 200 : 412, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const first = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const key = ed25519Key();
  const second = await listenGateway(t, { keys: [key] });
  await second.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const live = second.plane.holder.current().version;
  const { flags } = writeKeyFile(t, key);
  for (const to of [[], ['--to', (await second.plane.store.history())[0]?.version ?? '']]) {
    const io = createTestIo();
    assert.equal(await main(['rollback', '--gateway', first, '--gateway', second.url, ...to, ...flags], io), ExitCode.Findings, io.err());
    assert.equal(second.plane.holder.current().version, live, `the second gateway kept its version (${to.join(' ') || 'no --to'})`);
    assert.match(io.err(), /version_conflict/);
    assert.match(io.err(), /nothing rolled back on the other gateways/);
  }
});
