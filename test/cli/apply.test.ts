/**
 * `aigw apply` in-process against admin apps listening on 127.0.0.1: local validation first, the
 * server-side diff rendered as `aigw diff` renders it, confirmation rules, If-Match auto, versions
 * printed, and exit codes 0/1/2.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { createTestIo } from '../helpers/io.js';
import { ed25519Key, hmacKey, listenGateway, MANIFEST_A, MANIFEST_B, writeKeyFile } from '../unit/admin/admin-harness.js';

const VERSION_A = manifestVersion(loadManifest({ text: MANIFEST_A, file: 'a' }, { env: {} }).document);
const VERSION_B = manifestVersion(loadManifest({ text: MANIFEST_B, file: 'b' }, { env: {} }).document);

function manifestFile(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

test('apply --yes shows the diff, applies to every gateway and prints each resulting version', async (t) => {
  const key = ed25519Key();
  const first = await listenGateway(t, { keys: [key], replicaId: 'a' });
  const second = await listenGateway(t, { keys: [key], replicaId: 'b' });
  const { flags, directory } = writeKeyFile(t, key);
  const file = manifestFile(directory, 'routes.yaml', MANIFEST_B);
  const io = createTestIo();
  const code = await main(['apply', file, '--gateway', first.url, '--gateway', second.url, '--yes', ...flags], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.match(io.out(), /anthropic\/claude-haiku-4-5\s+60% → 30%/);
  // Both gateways run the same version: the diff is printed once, naming both.
  assert.equal(io.out().match(/^--- /gm)?.length, 1);
  assert.ok(io.out().includes(`${first.url}, ${second.url} (live ${VERSION_A.slice(0, 12)})`));
  assert.ok(io.out().includes(`${first.url}: applied ${VERSION_B.slice(0, 12)} (was ${VERSION_A.slice(0, 12)})`));
  assert.ok(io.out().includes(`${second.url}: applied ${VERSION_B.slice(0, 12)}`));
  assert.equal(first.plane.holder.current().version, VERSION_B);
  assert.equal(second.plane.holder.current().version, VERSION_B);
});

test('apply --dry-run prints the diff and changes nothing (server-side dry run)', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', gateway.url, '--dry-run', ...flags], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.match(io.out(), /\+ route chat-large/);
  assert.equal(gateway.plane.holder.current().version, VERSION_A);
  assert.equal(gateway.plane.applier.lastReload(), undefined);
});

test('without a terminal and without --yes, apply refuses with exit 2 and a hint, before contacting anyone', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', gateway.url, ...flags], io);
  assert.equal(code, ExitCode.Usage);
  assert.match(io.err(), /--yes/);
  assert.equal(gateway.plane.holder.current().version, VERSION_A);
});

test('on a terminal apply asks; "no" applies nothing (exit 1), "yes" applies', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const file = manifestFile(directory, 'routes.yaml', MANIFEST_B);
  const questions: string[] = [];
  const declined = createTestIo({ isTTY: true, confirm: async (question) => { questions.push(question); return false; } });
  assert.equal(await main(['apply', file, '--gateway', gateway.url, ...flags], declined), ExitCode.Findings);
  assert.equal(gateway.plane.holder.current().version, VERSION_A);
  assert.match(questions[0] ?? '', new RegExp(`Apply ${VERSION_B.slice(0, 12)} to 1 gateway\\?`));
  const accepted = createTestIo({ isTTY: true, confirm: async () => true });
  assert.equal(await main(['apply', file, '--gateway', gateway.url, ...flags], accepted), ExitCode.Ok);
  assert.equal(gateway.plane.holder.current().version, VERSION_B);
});

test('a locally invalid manifest is reported with file:line:col and never sent (exit 1)', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const file = manifestFile(directory, 'broken.yaml', 'ai_routes:\n  - name: x\n    bogus: 1\n');
  const code = await main(['apply', file, '--gateway', gateway.url, '--yes', ...flags], io);
  assert.equal(code, ExitCode.Findings);
  assert.match(io.err(), /broken\.yaml:3:5 error schema\/unknown-key/);
  assert.equal(gateway.plane.applier.lastReload(), undefined);
});

test('a manifest the gateway rejects (a variable unset there) prints its diagnostics and exits 1', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const text = MANIFEST_B.replace('ai_routes:', 'providers:\n  openai: { api_key: "${ONLY_ON_LAPTOP}" }\nai_routes:');
  const io = createTestIo({ env: { ONLY_ON_LAPTOP: 'x' } });
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', text), '--gateway', gateway.url, '--yes', ...flags], io);
  assert.equal(code, ExitCode.Findings);
  assert.match(io.err(), /routes\.yaml:2:\d+ error env\/missing-variable/);
  assert.match(io.err(), /nothing applied/);
  assert.equal(gateway.plane.holder.current().version, VERSION_A);
});

test('--format json: a locally invalid manifest is validate\'s JSON document on stdout; a gateway\'s 422 carries its diagnostics', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const local = createTestIo();
  const broken = manifestFile(directory, 'broken.yaml', 'ai_routes:\n  - name: x\n    bogus: 1\n');
  assert.equal(await main(['apply', broken, '--gateway', gateway.url, '--yes', '--format', 'json', ...flags], local), ExitCode.Findings);
  const document = JSON.parse(local.out()) as { version: number; diagnostics: { ruleId: string; line: number }[] };
  assert.ok(document.diagnostics.some((diagnostic) => diagnostic.ruleId === 'schema/unknown-key' && diagnostic.line === 3), local.out());

  const text = MANIFEST_B.replace('ai_routes:', 'providers:\n  openai: { api_key: "${ONLY_ON_LAPTOP}" }\nai_routes:');
  const remote = createTestIo({ env: { ONLY_ON_LAPTOP: 'x' } });
  assert.equal(await main(['apply', manifestFile(directory, 'routes.yaml', text), '--gateway', gateway.url, '--yes', '--format', 'json', ...flags], remote), ExitCode.Findings);
  const outcome = (JSON.parse(remote.out()) as { gateways: { result: string; status: number; diagnostics?: { ruleId: string }[] }[] }).gateways[0];
  assert.equal(outcome?.result, 'rejected');
  assert.equal(outcome?.status, 422);
  assert.ok(outcome?.diagnostics?.some((diagnostic) => diagnostic.ruleId === 'env/missing-variable'), remote.out());
});

test('an unreachable gateway is exit 2, and then nothing is applied to the reachable ones either', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', gateway.url, '--gateway', 'http://127.0.0.1:1', '--yes', ...flags], io);
  assert.equal(code, ExitCode.Usage);
  assert.match(io.err(), /127\.0\.0\.1:1 is unreachable: connection refused/);
  assert.equal(gateway.plane.holder.current().version, VERSION_A);
});

test('a wrong key is a rejection (exit 1) naming the signature error', async (t) => {
  const gateway = await listenGateway(t, { keys: [hmacKey('ops')] });
  const { flags, directory } = writeKeyFile(t, hmacKey('ops'));
  const io = createTestIo();
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', gateway.url, '--yes', ...flags], io);
  assert.equal(code, ExitCode.Findings);
  assert.match(io.err(), /signature_invalid/);
});

/** Another manifest than MANIFEST_B: someone else's change. */
const OTHER_CHANGE = MANIFEST_A.replace('weight: 60', 'weight: 50').replace('weight: 40', 'weight: 50');

/**
 * `aigw apply` of MANIFEST_B with `ifMatch`, while `landing` reaches the gateway between its dry run
 * and its reload (the confirmation is that moment).
 */
async function applyWithChangeInBetween(t: TestContext, ifMatch: readonly string[], landing = OTHER_CHANGE) {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const file = manifestFile(directory, 'routes.yaml', MANIFEST_B);
  const io = createTestIo({
    isTTY: true,
    confirm: async () => {
      await gateway.plane.applier.apply({ text: landing, file: 'other', origin: 'reload' });
      return true;
    },
  });
  const code = await main(['apply', file, '--gateway', gateway.url, ...ifMatch, ...flags], io);
  return { code, io, gateway, live: gateway.plane.holder.current().version };
}

for (const ifMatch of [['--if-match', 'auto'], []]) {
  test(`${ifMatch.length === 0 ? 'by default' : '--if-match auto'} apply sends the version it diffed against: a change in between is a 412, nothing applied`, async (t) => {
    const { code, io, live } = await applyWithChangeInBetween(t, ifMatch);
    assert.equal(code, ExitCode.Findings);
    assert.match(io.err(), /version_conflict/);
    assert.notEqual(live, VERSION_B);
  });
}

test('the same change arriving in between (another replica\'s reload through the store) is "already live": exit 0, and the gateway\'s status says unchanged', async (t) => {
  const { code, io, gateway } = await applyWithChangeInBetween(t, [], MANIFEST_B);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.ok(io.out().includes(`${gateway.url}: ${VERSION_B.slice(0, 12)} (already live through the shared store)`), io.out());
  assert.equal(gateway.plane.applier.lastReload()?.outcome, 'unchanged');
});

test('--if-match none overwrites a change made after the dry run', async (t) => {
  const { code, io, live } = await applyWithChangeInBetween(t, ['--if-match', 'none']);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.equal(live, VERSION_B);
});

test('apply with nothing to change says so and exits 0; --format json reports every gateway', async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_A), '--gateway', gateway.url, '--yes', '--format', 'json', ...flags], io);
  assert.equal(code, ExitCode.Ok, io.err());
  const report = JSON.parse(io.out());
  assert.equal(report.version, 1);
  assert.equal(report.manifestVersion, VERSION_A);
  assert.deepEqual(report.gateways, [{ gateway: gateway.url, result: 'planned', liveVersion: VERSION_A, version: VERSION_A }]);
});

test('apply needs a gateway and a key: usage errors (exit 2) with hints', async () => {
  const noGateway = createTestIo();
  assert.equal(await main(['apply', 'routes.yaml', '--yes'], noGateway), ExitCode.Usage);
  assert.match(noGateway.err(), /--gateway/);
  const noKey = createTestIo();
  assert.equal(await main(['apply', 'routes.yaml', '--yes', '--gateway', 'http://127.0.0.1:1'], noKey), ExitCode.Usage);
  assert.match(noKey.err(), /--key-id and --key-file \(or AIGW_ADMIN_KEY_ID and AIGW_ADMIN_KEY_FILE\)/);
  const badIfMatch = createTestIo();
  assert.equal(await main(['apply', 'routes.yaml', '--yes', '--gateway', 'http://127.0.0.1:1', '--if-match', 'latest'], badIfMatch), ExitCode.Usage);
});

test('key id and file come from AIGW_ADMIN_KEY_ID / AIGW_ADMIN_KEY_FILE when no flags are given', async (t) => {
  const key = ed25519Key('from-env');
  const gateway = await listenGateway(t, { keys: [key] });
  const { file, directory } = writeKeyFile(t, key);
  const io = createTestIo({ env: { AIGW_ADMIN_KEY_ID: 'from-env', AIGW_ADMIN_KEY_FILE: file } });
  const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', gateway.url, '--yes'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.equal(gateway.plane.holder.current().version, VERSION_B);
});

test('aigw diff MANIFEST --gateway URL diffs against the live config (signed GET /admin/config), secrets compared as written', async (t) => {
  const key = ed25519Key();
  const withKey = (text: string) => text.replace('ai_routes:', 'providers:\n  openai: { api_key: "${OPENAI_API_KEY}" }\nai_routes:');
  const gateway = await listenGateway(t, { keys: [key], plane: { manifest: { text: withKey(MANIFEST_A), file: 'routes.yaml' }, env: { OPENAI_API_KEY: 'sk-gateway-only-secret' } } });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['diff', manifestFile(directory, 'routes.yaml', withKey(MANIFEST_B)), '--gateway', gateway.url, '--exit-code', '--format', 'json', ...flags], io);
  assert.equal(code, ExitCode.Findings, io.err());
  const report = JSON.parse(io.out());
  assert.equal(report.before.source, gateway.url);
  assert.deepEqual(report.routes.map((route: { name: string; kind: string }) => `${route.kind} ${route.name}`), ['added chat-large', 'changed chat-mid-tier']);
  assert.deepEqual(report.providers, [], 'the same ${OPENAI_API_KEY} reference on both sides is no change');
  assert.ok(!io.out().includes('sk-gateway-only-secret'));
  const unsigned = createTestIo();
  assert.equal(await main(['diff', manifestFile(directory, 'b.yaml', MANIFEST_B), '--gateway', gateway.url], unsigned), ExitCode.Usage);
  assert.match(unsigned.err(), /--key-id and --key-file/);
});

test('aigw diff --gateway on the very manifest the gateway runs, literal secret included, is no change (exit 0 with --exit-code)', async (t) => {
  const key = ed25519Key();
  const literal = MANIFEST_A.replace('ai_routes:', 'providers:\n  openai: { api_key: "sk-live-LITERALSECRET999" }\nai_routes:');
  const gateway = await listenGateway(t, { keys: [key], plane: { manifest: { text: literal, file: 'routes.yaml' } } });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['diff', manifestFile(directory, 'routes.yaml', literal), '--gateway', gateway.url, '--exit-code', '--format', 'json', ...flags], io);
  assert.equal(code, ExitCode.Ok, io.out());
  const report = JSON.parse(io.out());
  assert.equal(report.changed, false);
  assert.equal(report.before.manifestVersion, gateway.plane.holder.current().version);
  assert.equal(report.after.manifestVersion, gateway.plane.holder.current().version);
  assert.ok(!io.out().includes('LITERALSECRET'));
  // Something else changed: the masked literal (****) cannot be compared, so it is not reported as changed.
  const other = createTestIo();
  const changedWeights = literal.replace('weight: 60', 'weight: 50').replace('weight: 40', 'weight: 50');
  assert.equal(await main(['diff', manifestFile(directory, 'weights.yaml', changedWeights), '--gateway', gateway.url, '--exit-code', '--format', 'json', ...flags], other), ExitCode.Findings);
  const changed = JSON.parse(other.out());
  assert.deepEqual(changed.providers, [], 'no phantom "value changed" for the masked literal');
  assert.ok(changed.routes.length > 0);
});

test('aigw diff --gateway on a live manifest near the 1 MiB file limit: its re-printed JSON (half as large again) is read, no change', async (t) => {
  const key = ed25519Key();
  const routes = Array.from({ length: 6_500 }, (_, index) => `  - { name: bulk-${index}, match: { model: "bulk-model-${index}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }`);
  const large = `${MANIFEST_A}${routes.join('\n')}\n`;
  assert.ok(large.length > 700_000 && large.length < 1024 * 1024, `${large.length} bytes`);
  const gateway = await listenGateway(t, { keys: [key], plane: { manifest: { text: large, file: 'routes.yaml' } } });
  const { flags, directory } = writeKeyFile(t, key);
  const io = createTestIo();
  const code = await main(['diff', manifestFile(directory, 'routes.yaml', large), '--gateway', gateway.url, '--exit-code', '--format', 'json', ...flags], io);
  assert.equal(code, ExitCode.Ok, io.out() + io.err());
  assert.equal(JSON.parse(io.out()).changed, false);
});

test('a dry-run answer without versions and a change set is a rejection (exit 1), never a crash or a version "undefined"', async (t) => {
  // Something that answers 200 JSON on the admin path but is not an aigw admin plane (or an older one).
  const received: string[] = [];
  const server = createServer((request, response) => {
    received.push(`${request.method ?? ''} ${request.url ?? ''}`);
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, version: 42 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = hmacKey();
  const { flags, directory } = writeKeyFile(t, key);
  for (const format of ['text', 'json'] as const) {
    const io = createTestIo();
    const code = await main(['apply', manifestFile(directory, 'routes.yaml', MANIFEST_B), '--gateway', url, '--yes', '--format', format, ...flags], io);
    assert.equal(code, ExitCode.Findings, io.err());
    assert.doesNotMatch(io.out() + io.err(), /undefined|TypeError|at .*\.ts:/);
    assert.match(format === 'json' ? io.out() : io.err(), /no liveVersion, version and change set/);
  }
  assert.deepEqual(received, ['POST /admin/reload?dry_run=true', 'POST /admin/reload?dry_run=true'], 'only the dry runs were sent; nothing was applied');
});
