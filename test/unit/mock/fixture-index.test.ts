import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { answerCase, FixtureError, loadFixtureIndex } from '../../../runtime/mock/fixture-index.js';
import { bedrockStream, openaiChat, openaiChatStream, openaiError429, writeFixtureDirectory } from './test-fixtures.js';

test('the index serves fixtures by provider and case, and lists them sorted', (t) => {
  const directory = writeFixtureDirectory(t, [openaiError429, openaiChatStream, openaiChat, bedrockStream]);
  const index = loadFixtureIndex(directory);
  assert.deepEqual(index.providers(), ['bedrock', 'openai']);
  assert.deepEqual(index.list('openai').map((fixture) => fixture.case), ['chat', 'chat-stream', 'error-429']);
  assert.deepEqual(index.list().map((fixture) => `${fixture.provider}/${fixture.case}`),
    ['bedrock/chat-stream', 'openai/chat', 'openai/chat-stream', 'openai/error-429']);
  assert.equal(index.get('openai', 'chat')?.recorded_model, 'gpt-4o-mini-2024-07-18');
  assert.equal(index.get('openai', 'missing'), undefined);
  assert.equal(index.get('anthropic', 'chat'), undefined);
  assert.deepEqual(index.requestNames(), ['chat', 'chat-stream']);
  assert.equal(index.request('chat-stream')?.stream, true);
});

test('pick chooses chat, chat-stream, tool-call or tool-call-stream by request shape', (t) => {
  const index = loadFixtureIndex(writeFixtureDirectory(t, [openaiChat, openaiChatStream]));
  assert.equal(index.pick('openai', { stream: false, tools: false })?.case, 'chat');
  assert.equal(index.pick('openai', { stream: true, tools: false })?.case, 'chat-stream');
  assert.equal(index.pick('openai', { stream: false, tools: true }), undefined);
  assert.equal(answerCase({ stream: true, tools: true }), 'tool-call-stream');
  assert.equal(answerCase({ stream: false, tools: true }), 'tool-call');
});

test('error finds the error fixture by status, by case name first and then by recorded status', (t) => {
  const renamed = { ...openaiError429, case: 'error-rate-limit' };
  const index = loadFixtureIndex(writeFixtureDirectory(t, [openaiChat, renamed]));
  assert.equal(index.error('openai', 429)?.case, 'error-rate-limit');
  assert.equal(index.error('openai', 500), undefined);
  assert.equal(index.error('openai', 200), undefined, 'a success fixture is never an error answer');
});

test('a fixture that breaks the schema fails the load and names its file', (t) => {
  const broken = { ...openaiChat, response: { status: 200, headers: {} } };
  const directory = writeFixtureDirectory(t, [broken]);
  assert.throws(() => loadFixtureIndex(directory), (error: unknown) => {
    assert.ok(error instanceof FixtureError);
    assert.equal(error.file, join(directory, 'providers', 'openai', 'chat.json'));
    assert.match(error.message, /chat\.json: does not match schemas\/fixture\.schema\.json: \/response/);
    return true;
  });
});

test('a fixture whose case or provider disagrees with its path fails the load', (t) => {
  const directory = writeFixtureDirectory(t, [openaiChat]);
  writeFileSync(join(directory, 'providers', 'openai', 'other.json'), JSON.stringify(openaiChat));
  assert.throws(() => loadFixtureIndex(directory), /other\.json: case "chat" does not match its file name "other"/);

  const wrongProvider = writeFixtureDirectory(t, [{ ...openaiChat, provider: 'groq' }]);
  writeFileSync(join(wrongProvider, 'providers', 'groq', 'chat.json'), JSON.stringify(openaiChat));
  assert.throws(() => loadFixtureIndex(wrongProvider), /provider "openai" does not match its folder "groq"/);
});

test('invalid JSON and a missing canonical request fail the load naming the file', (t) => {
  const directory = writeFixtureDirectory(t, [openaiChat]);
  writeFileSync(join(directory, 'providers', 'openai', 'chat.json'), '{"provider":');
  assert.throws(() => loadFixtureIndex(directory), /chat\.json: not valid JSON/);

  const orphan = writeFixtureDirectory(t, [openaiChat], {});
  assert.throws(() => loadFixtureIndex(orphan), /openai_request "chat" has no fixtures\/requests\/chat\.json/);
});

test('the bundled fixtures folder loads and validates', () => {
  const index = loadFixtureIndex();
  assert.ok(index.requestNames().includes('chat'));
  for (const fixture of index.list()) assert.ok(fixture.case.length > 0);
});

test('a folder without providers/ (a mistyped --fixtures, or a file) is an error naming it, not an empty mock', (t) => {
  const missing = join(writeFixtureDirectory(t, [openaiChat]), 'nowhere');
  assert.throws(() => loadFixtureIndex(missing), (error: unknown) => error instanceof FixtureError && error.file === missing && /no providers\/ folder/.test(error.message));
  const file = join(writeFixtureDirectory(t, [openaiChat]), 'providers', 'openai', 'chat.json');
  assert.throws(() => loadFixtureIndex(file), /not a fixtures folder/);
});
