import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'undici';
import { main } from '../../../cli/main.js';
import { createTestIo } from '../../helpers/io.js';
import { testAgent } from '../../helpers/servers.js';
import { ALL_TEST_FIXTURES, writeFixtureDirectory } from './test-fixtures.js';

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5000) assert.fail('mock never started');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('aigw mock serves on 127.0.0.1, prints each provider base URL, and stops cleanly on shutdown', async (t) => {
  const shutdown = new AbortController();
  const io = createTestIo({ shutdown: shutdown.signal });
  const fixtures = writeFixtureDirectory(t, ALL_TEST_FIXTURES);
  const exit = main(['mock', '--port', '0', '--speed', '0', '--fixtures', fixtures, '--fault', 'provider=openai,status=503,first=1'], io);
  await until(() => io.out().includes('bedrock'));
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(io.out())?.[1] ?? '';
  assert.notEqual(url, '');
  assert.match(io.out(), new RegExp(`  groq +${url}/groq/openai/v1\\n`));
  assert.match(io.out(), /AKIDMOCK \/ mock-secret/);
  const send = () => request(`${url}/openai/v1/chat/completions`, {
    method: 'POST', dispatcher: testAgent(t), headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const first = await send();
  await first.body.dump();
  assert.equal(first.statusCode, 503);
  const second = await send();
  assert.equal((await second.body.json() as { model: string }).model, 'm');
  shutdown.abort();
  assert.equal(await exit, 0);
});

test('aigw mock --format json prints one document with the provider URLs', async (t) => {
  const shutdown = new AbortController();
  const io = createTestIo({ shutdown: shutdown.signal });
  const exit = main(['mock', '--port', '0', '--format', 'json', '--fixtures', writeFixtureDirectory(t, ALL_TEST_FIXTURES)], io);
  await until(() => io.out().endsWith('\n'));
  shutdown.abort();
  assert.equal(await exit, 0);
  const document = JSON.parse(io.out()) as { version: number; url: string; providers: Record<string, string> };
  assert.equal(document.version, 1);
  assert.equal(document.providers['perplexity'], `${document.url}/perplexity`);
  assert.equal(document.providers['anthropic'], `${document.url}/anthropic`);
});

test('bad flags and bad fault specs are usage errors (exit 2) that say what is wrong', async () => {
  for (const [argv, message] of [
    [['mock', '--port', 'abc'], /--port must be a whole number/],
    [['mock', '--speed', '-1'], /--speed must be a number >= 0/],
    [['mock', '--fault', 'status=700'], /--fault: .*expected 400-599/],
    [['mock', '--fault', 'bogus=1'], /unknown key "bogus"/],
  ] as const) {
    const io = createTestIo();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(io.err(), message);
  }
});

test('an invalid fixture folder is an input error naming the file', async (t) => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const fixtures = writeFixtureDirectory(t, []);
  mkdirSync(join(fixtures, 'providers', 'openai'), { recursive: true });
  writeFileSync(join(fixtures, 'providers', 'openai', 'chat.json'), '{}');
  const io = createTestIo();
  assert.equal(await main(['mock', '--port', '0', '--fixtures', fixtures], io), 2);
  assert.match(io.err(), /fixtures: .*openai\/chat\.json: does not match/);
});

test('aigw mock --help documents the fault grammar and the SigV4 test key', async () => {
  const io = createTestIo();
  assert.equal(await main(['mock', '--help'], io), 0);
  for (const key of ['status=CODE', 'retry_after=S', 'delay_headers=MS', 'delay_first_chunk=MS', 'no_answer', 'reset', 'cut_after=N', 'stall=MS', 'malformed_at=N', 'no_terminator', 'reject_prefill', 'first=N', 'for_ms=MS']) {
    assert.ok(io.out().includes(key), key);
  }
  assert.match(io.out(), /AKIDMOCK/);
});
