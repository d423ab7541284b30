/** `aigw dry-run` in-process through main(argv, io): route, plan, native requests, masking, exit codes. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { assertGolden } from '../helpers/golden.js';
import { createTestIo } from '../helpers/io.js';
import { SEED_MANIFEST as SEED } from '../unit/routing/seed.js';

const SECRETS = { ANTHROPIC_API_KEY: 'sk-ant-VERYSECRET', OPENAI_API_KEY: 'sk-proj-VERYSECRET' };

function workspace(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-dry-run-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

test('dry-run shows the matched route, the plan with first-pick probabilities and each native request (golden)', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Say hello.'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assertGolden(import.meta.url, 'dry-run-seed.txt', io.out());
  assert.match(io.out(), /x-api-key: \$\{ANTHROPIC_API_KEY\}/);
  assert.match(io.out(), /authorization: Bearer \$\{OPENAI_API_KEY\}/);
  assert.doesNotMatch(io.out() + io.err(), /VERYSECRET/);
});

test('dry-run --format json is a versioned document with probabilities, masked headers and parsed bodies', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--stream', '--format', 'json'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  const document = JSON.parse(io.out()) as {
    version: number; request: { stream: boolean }; route: { name: string; index: number };
    candidates: { provider: string; role: string; firstProbability: number; request: { url: string; headers: Record<string, string>; body: { stream?: boolean }; stream: string | false } }[];
  };
  assert.equal(document.version, 1);
  assert.equal(document.request.stream, true);
  assert.equal(document.route.name, 'chat-mid-tier');
  assert.deepEqual(document.candidates.map((candidate) => [candidate.provider, candidate.role, candidate.firstProbability]), [
    ['anthropic', 'target', 0.6], ['openai', 'target', 0.4], ['ollama', 'fallback', 0],
  ]);
  assert.equal(document.candidates[0]?.request.url, 'https://api.anthropic.com/v1/messages');
  assert.equal(document.candidates[0]?.request.headers['x-api-key'], '${ANTHROPIC_API_KEY}');
  assert.equal(document.candidates[0]?.request.body.stream, true);
  assert.equal(document.candidates[0]?.request.stream, 'sse');
  assert.equal(document.candidates[2]?.request.stream, 'ndjson');
  assert.doesNotMatch(io.out(), /VERYSECRET/);
});

test('an inline secret is shown masked, and an unset credential is flagged', async (t) => {
  const manifest = `providers:\n  openai: { api_key: "sk-inline-VERYSECRET" }\n${SEED}`;
  const cwd = workspace(t, { 'routes.yaml': manifest });
  const io = createTestIo({ cwd, env: {} });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--allow-missing-env'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.match(io.out(), /authorization: Bearer \*\*\*\*/);
  assert.match(io.out(), /credential \$\{ANTHROPIC_API_KEY\} is not set/);
  assert.doesNotMatch(io.out() + io.err(), /VERYSECRET/);
});

test('--request reads a chat-completions body; --stream makes it a stream request', async (t) => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] });
  const cwd = workspace(t, { 'routes.yaml': SEED, 'request.json': body });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--request', 'request.json', '--stream', '--format', 'json'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  const document = JSON.parse(io.out()) as { candidates: { request: { body: { tools?: unknown[]; stream?: boolean } } }[] };
  assert.equal(document.candidates[0]?.request.body.tools?.length, 1);
  assert.equal(document.candidates[0]?.request.body.stream, true);
});

test('a parameter a candidate cannot honour is shown as not buildable', async (t) => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], logit_bias: { 1: 1 } });
  const cwd = workspace(t, { 'routes.yaml': SEED, 'request.json': body });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--request', 'request.json'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.match(io.out(), /not buildable: 400 unsupported_parameter/);
});

test('no candidate can build the request (n: 2 on the seed route): every one shown as not buildable, exit 1 as serve\'s 400', async (t) => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], n: 2 });
  const cwd = workspace(t, { 'routes.yaml': SEED, 'request.json': body });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--request', 'request.json'], io);
  assert.equal(code, ExitCode.Findings, io.err());
  assert.equal(io.out().match(/not buildable: 400 unsupported_parameter/g)?.length, 3);
});

test('a request file without messages or model shows the 400 serve would answer, exit 1 (not a usage error)', async (t) => {
  for (const body of [{ model: 'gpt-4o-mini' }, { model: 'gpt-4o-mini', messages: [] }, { messages: [{ role: 'user', content: 'Hi' }] }]) {
    const cwd = workspace(t, { 'routes.yaml': SEED, 'request.json': JSON.stringify(body) });
    const io = createTestIo({ cwd, env: SECRETS });
    const code = await main(['dry-run', 'routes.yaml', '--request', 'request.json'], io);
    assert.equal(code, ExitCode.Findings, `${JSON.stringify(body)}: ${io.err()}`);
    assert.match(io.out(), /400/, JSON.stringify(body));
  }
});

test('no matching route: the 404 the client would get, exit 1', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'gpt-5', '--prompt', 'Hi'], io);
  assert.equal(code, ExitCode.Findings);
  assert.match(io.out(), /no route matches model "gpt-5"/);
  assert.match(io.out(), /404 model_not_found/);
  const json = createTestIo({ cwd, env: SECRETS });
  await main(['dry-run', 'routes.yaml', '--model', 'gpt-5', '--prompt', 'Hi', '--format', 'json'], json);
  assert.equal((JSON.parse(json.out()) as { error: { code: string } }).error.code, 'model_not_found');
});

test('an invalid manifest prints its diagnostics and exits 1', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': 'ai_routes:\n  - name: x\n    matchh: {}\n' });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'x', '--prompt', 'Hi'], io);
  assert.equal(code, ExitCode.Findings);
  assert.match(io.err(), /routes\.yaml:3:5 .*schema\/unknown-key/);
});

test('with --format json an invalid manifest is still a JSON document on stdout (validate\'s shape), for dry-run and simulate', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': 'ai_routes:\n  - name: x\n    matchh: {}\n' });
  for (const argv of [['dry-run', 'routes.yaml', '--model', 'x', '--prompt', 'Hi', '--format', 'json'], ['simulate', 'routes.yaml', '--requests', '10', '--format', 'json']]) {
    const io = createTestIo({ cwd, env: SECRETS });
    assert.equal(await main(argv, io), ExitCode.Findings, argv.join(' '));
    const document = JSON.parse(io.out()) as { version: number; files: { valid: boolean }[]; diagnostics: { ruleId: string; line: number; column: number }[] };
    assert.equal(document.version, 1);
    assert.equal(document.files[0]?.valid, false);
    const diagnostic = document.diagnostics.find((item) => item.ruleId === 'schema/unknown-key');
    assert.deepEqual([diagnostic?.line, diagnostic?.column], [3, 5], argv[0]);
  }
});

test('usage and I/O errors exit 2 without a stack trace', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED, 'bad.json': '{nope' });
  for (const argv of [
    ['dry-run', 'routes.yaml'],
    ['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini'],
    ['dry-run', 'routes.yaml', '--request', 'bad.json'],
    ['dry-run', 'routes.yaml', '--request', 'missing.json'],
    ['dry-run', 'routes.yaml', '--request', 'bad.json', '--prompt', 'x'],
    ['dry-run', 'missing.yaml', '--model', 'gpt-4o-mini', '--prompt', 'x'],
  ]) {
    const io = createTestIo({ cwd, env: SECRETS });
    assert.equal(await main(argv, io), ExitCode.Usage, argv.join(' '));
    assert.match(io.err(), /^aigw: /);
    assert.doesNotMatch(io.err(), /\n\s+at /);
  }
});

test('dry-run makes no network call: a provider whose base_url is a listening socket sees no connection', async (t) => {
  let connections = 0;
  const listener = createServer((socket) => { connections += 1; socket.destroy(); });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  t.after(() => listener.close());
  const address = listener.address();
  assert.ok(address !== null && typeof address === 'object');
  const local = `providers:\n  local:\n    type: vllm\n    base_url: "http://127.0.0.1:${address.port}/v1"\n${SEED.replace('provider: openai', 'provider: local')}`;
  const cwd = workspace(t, { 'routes.yaml': local });
  const io = createTestIo({ cwd, env: SECRETS });
  const code = await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi'], io);
  assert.equal(code, ExitCode.Ok, io.err());
  assert.match(io.out(), new RegExp(`http://127\\.0\\.0\\.1:${address.port}/v1/chat/completions`), 'the request to it is shown');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(connections, 0);
});

test('--allow-missing-env: the unset ${VAR} the plan carries as written is a warning on stderr (text) or in the document\'s warnings (json)', async (t) => {
  const manifest = SEED.replace('model: gpt-4o-mini', 'model: "${TARGET_MODEL_UNSET}"');
  assert.notEqual(manifest, SEED);
  const cwd = workspace(t, { 'routes.yaml': manifest });
  const text = createTestIo({ cwd, env: SECRETS });
  assert.equal(await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--allow-missing-env'], text), ExitCode.Ok, text.err());
  assert.match(text.err(), /routes\.yaml:\d+:\d+ .*env\/missing-variable/);
  assert.match(text.err(), /TARGET_MODEL_UNSET/);
  const json = createTestIo({ cwd, env: SECRETS });
  assert.equal(await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--allow-missing-env', '--format', 'json'], json), ExitCode.Ok, json.err());
  const document = JSON.parse(json.out()) as { warnings?: { ruleId: string; line: number }[] };
  assert.deepEqual(document.warnings?.map((warning) => warning.ruleId), ['env/missing-variable']);
  assert.equal(json.err(), '');
  // A manifest without unresolved references prints no warnings and no `warnings` member.
  const clean = workspace(t, { 'routes.yaml': SEED });
  const quiet = createTestIo({ cwd: clean, env: SECRETS });
  assert.equal(await main(['dry-run', 'routes.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--format', 'json'], quiet), ExitCode.Ok);
  assert.equal((JSON.parse(quiet.out()) as { warnings?: unknown }).warnings, undefined);
});
