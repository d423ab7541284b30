/**
 * dry-run runs serve's own request-body check (runtime/server/request-validator.ts) before routing
 * (review finding 5): a body serve answers with 400 invalid_request is shown as that 400 — like the
 * 404 of an unmatched model, exit 1 — never as "500 internal_error: TypeError …" from an adapter
 * with exit 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { SEED_MANIFEST as SEED } from '../unit/routing/seed.js';

const SECRETS = { ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-proj-test' };
const USER = { role: 'user', content: 'x' };

/** Bodies the review fed to dry-run (each one crashed an adapter, or slipped through), and the param serve names. */
const MALFORMED: readonly { readonly name: string; readonly body: Record<string, unknown>; readonly param: string }[] = [
  { name: 'a null message', body: { messages: [null] }, param: 'messages[0]' },
  { name: 'a message without content', body: { messages: [{ role: 'user' }] }, param: 'messages[0].content' },
  { name: 'tools that are a string', body: { messages: [USER], tools: 'x' }, param: 'tools' },
  { name: 'a null tool', body: { messages: [USER], tools: [null] }, param: 'tools[0]' },
  { name: 'a function tool_choice without its function', body: { messages: [USER], tool_choice: { type: 'function' } }, param: 'tool_choice.function' },
  { name: 'an image part with a null image_url', body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: null }] }] }, param: 'messages[0].content[0].image_url' },
  { name: 'a temperature that is a string', body: { messages: [USER], temperature: 'hot' }, param: 'temperature' },
];

function workspace(t: TestContext, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-dry-run-check-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

for (const { name, body, param } of MALFORMED) {
  test(`${name}: dry-run shows serve's 400 invalid_request for '${param}' and exits 1`, async (t) => {
    const cwd = workspace(t, { 'routes.yaml': SEED, 'request.json': JSON.stringify({ model: 'gpt-4o-mini', ...body }) });

    const text = createTestIo({ cwd, env: SECRETS });
    assert.equal(await main(['dry-run', 'routes.yaml', '--request', 'request.json'], text), ExitCode.Findings, text.out() + text.err());
    assert.match(text.out(), /the gateway refuses this request before routing/);
    assert.match(text.out(), new RegExp(`the client gets 400 invalid_request: .+ \\(param: ${param.replace(/[[\].]/g, '\\$&')}\\)\\n`));
    assert.doesNotMatch(text.out() + text.err(), /internal_error|TypeError|not buildable/);

    const json = createTestIo({ cwd, env: SECRETS });
    assert.equal(await main(['dry-run', 'routes.yaml', '--request', 'request.json', '--format', 'json'], json), ExitCode.Findings);
    const document = JSON.parse(json.out()) as { route: unknown; error: { code: string; type: string; param: string } };
    assert.equal(document.route, null);
    assert.equal(document.error.code, 'invalid_request');
    assert.equal(document.error.param, param);
  });
}

test('the check sees the request as sent: --stream on a body with stream_options is fine, without it a 400', async (t) => {
  const cwd = workspace(t, {
    'routes.yaml': SEED,
    'request.json': JSON.stringify({ model: 'gpt-4o-mini', messages: [USER], stream_options: { include_usage: true } }),
  });
  const streamed = createTestIo({ cwd, env: SECRETS });
  assert.equal(await main(['dry-run', 'routes.yaml', '--request', 'request.json', '--stream'], streamed), ExitCode.Ok, streamed.out());
  const plain = createTestIo({ cwd, env: SECRETS });
  assert.equal(await main(['dry-run', 'routes.yaml', '--request', 'request.json'], plain), ExitCode.Findings);
  assert.match(plain.out(), /the client gets 400 invalid_request: .+\(param: stream_options\)/);
});
