/**
 * Design §7 exit codes and `--format json` for the admin commands, the cases the command tests leave
 * out: rollback and `diff --gateway` against an unreachable gateway (2), rollback refused for a wrong
 * key (1; status documents 2 for a refusal), and rollback's JSON document.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { ed25519Key, listenGateway, MANIFEST_B, writeKeyFile } from '../unit/admin/admin-harness.js';

/** Nothing listens on port 1: connection refused at once. */
const UNREACHABLE = 'http://127.0.0.1:1';

test('rollback to an unreachable gateway exits 2, in text and in JSON (result "unreachable")', async (t) => {
  const { flags } = writeKeyFile(t, ed25519Key());
  const text = createTestIo();
  assert.equal(await main(['rollback', '--gateway', UNREACHABLE, ...flags], text), ExitCode.Usage);
  assert.match(text.err(), /unreachable/);
  assert.doesNotMatch(text.err(), /\n\s+at /, 'no stack trace');
  const json = createTestIo();
  assert.equal(await main(['rollback', '--gateway', UNREACHABLE, '--format', 'json', ...flags], json), ExitCode.Usage);
  const document = JSON.parse(json.out()) as { version: number; gateways: { gateway: string; result: string }[] };
  assert.equal(document.version, 1);
  assert.deepEqual(document.gateways.map((row) => [row.gateway, row.result]), [[UNREACHABLE, 'unreachable']]);
});

test('diff MANIFEST --gateway to an unreachable gateway exits 2', async (t) => {
  const { flags } = writeKeyFile(t, ed25519Key());
  const io = createTestIo({ cwd: new URL('../../', import.meta.url).pathname });
  assert.equal(await main(['diff', 'examples/routes.yaml', '--gateway', UNREACHABLE, ...flags], io), ExitCode.Usage);
  assert.match(io.err(), /unreachable/);
});

test('rollback signed with a key the gateway does not hold is refused: exit 1, nothing changed', async (t) => {
  const gateway = await listenGateway(t, { keys: [ed25519Key('ops')] });
  await gateway.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const live = gateway.plane.holder.current().version;
  const { flags } = writeKeyFile(t, ed25519Key('ops'));
  const rollback = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, ...flags], rollback), ExitCode.Findings, rollback.out() + rollback.err());
  assert.match(rollback.err() + rollback.out(), /signature/i);
  assert.equal(gateway.plane.holder.current().version, live);
});

test('status refused by a reachable gateway (wrong key) exits 1 like apply and rollback, and says refused, not unreachable', async (t) => {
  const gateway = await listenGateway(t, { keys: [ed25519Key('ops')] });
  const { flags } = writeKeyFile(t, ed25519Key('ops'));
  const status = createTestIo();
  assert.equal(await main(['status', '--gateway', gateway.url, ...flags], status), ExitCode.Findings, status.out() + status.err());
  assert.match(status.err(), /signature/);
  assert.match(status.out(), /refused/, status.out());
  assert.doesNotMatch(status.out(), /unreachable/, status.out());
});

test('rollback --format json reports each gateway\'s result and versions', async (t) => {
  const key = ed25519Key();
  const gateway = await listenGateway(t, { keys: [key] });
  const original = gateway.plane.holder.current().version;
  await gateway.plane.applier.apply({ text: MANIFEST_B, file: 'b', origin: 'reload' });
  const { flags } = writeKeyFile(t, key);
  const io = createTestIo();
  assert.equal(await main(['rollback', '--gateway', gateway.url, '--format', 'json', ...flags], io), ExitCode.Ok, io.err());
  const document = JSON.parse(io.out()) as { version: number; gateways: Record<string, unknown>[] };
  assert.equal(document.version, 1);
  assert.equal(document.gateways.length, 1);
  assert.equal(document.gateways[0]?.['gateway'], gateway.url);
  assert.ok(JSON.stringify(document.gateways[0]).includes(original), `the version rolled back to is reported: ${io.out()}`);
  assert.equal(gateway.plane.holder.current().version, original);
});
