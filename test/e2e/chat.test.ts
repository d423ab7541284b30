/**
 * Non-stream chat completions through the gateway with the official `openai` SDK over real sockets:
 * the answer, the headers every response carries, the model that answered, the audit record, and
 * what the JSON logs may and may not contain (design §5, issue 9 items 1, 6, 7).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import {
  eventually, gatewaySuite, mockProviders, startTestGateway, startTestMock, suiteScope, tempDirectory, type GatewayHandle,
} from './helpers/gateway-harness.js';
import { ROOT, spawnServe } from './helpers/spawn-serve.js';

const run = promisify(execFile);

const KEY = 'sk-aigw-test-chat-0123456789';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function manifest(mock: RunningMock, withCredentials: boolean): string {
  return `
${mockProviders(mock.url, { openai: 'openai', anthropic: 'anthropic' })}
${withCredentials ? `credentials:\n  - id: chat-tests\n    key_sha256: "${sha256(KEY)}"` : ''}
ai_routes:
  - name: chat-openai
    match: { model: "gpt-4o-mini" }
    targets:
      - { provider: openai, model: gpt-4o-mini-2024-07-18 }
  - name: chat-anthropic
    match: { model: "claude" }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5 }
audit:
  prompt: full
  completion: full
`;
}

describe('non-stream chat completions', () => {
  let mock!: RunningMock;
  let handle!: GatewayHandle;
  // trace: the most the gateway ever logs, so the no-secret checks below see every line.
  gatewaySuite((started) => ({ mock, handle } = started), (mock) => manifest(mock, true), { apiKey: KEY, settings: { logLevel: 'trace' } });

  test('the SDK gets an OpenAI chat.completion whose model is the model that answered', async () => {
    const { data, response } = await handle.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(data.choices[0]?.message.role, 'assistant');
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);
    assert.equal(data.choices[0]?.finish_reason, 'stop');
    assert.ok((data.usage?.total_tokens ?? 0) > 0);
    assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    assert.equal(response.headers.get('x-aigw-route'), 'chat-openai');
    assert.equal(response.headers.get('x-aigw-provider'), 'openai');
  });

  test('a translated provider (Anthropic) answers in the same shape, naming its own model', async () => {
    const { data, response } = await handle.client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'claude-haiku-4-5');
    assert.equal(response.headers.get('x-aigw-provider'), 'anthropic');
    assert.equal(response.headers.get('x-aigw-route'), 'chat-anthropic');
    assert.equal(data.usage?.total_tokens, (data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
  });

  test('an x-request-id sent by the client is honoured on the response and in the audit record', async () => {
    const { response } = await handle.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] }, { headers: { 'x-request-id': 'trace-4711.a' } })
      .withResponse();
    assert.equal(response.headers.get('x-request-id'), 'trace-4711.a');
    const record = (await handle.auditRecords()).find((line) => line.http.request.id === 'trace-4711.a');
    assert.ok(record, 'audit record with the client request id');
    assert.equal(record.aigw.route, 'chat-openai');
    assert.equal(record.aigw.provider, 'openai');
    // The request's logger (made on first use) binds the same id.
    assert.ok(handle.logLines().some((line) => line['msg'] === 'request completed' && line['reqId'] === 'trace-4711.a'), 'its log line carries the request id');
  });

  test('an unsafe x-request-id (spaces, too long) is replaced by a generated one', async () => {
    for (const sent of ['has spaces in it', 'x'.repeat(300)]) {
      const { response } = await handle.client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }, { headers: { 'x-request-id': sent } })
        .withResponse();
      assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    }
  });

  test('every chat request leaves one audit record with the answering model and its usage', async () => {
    const { data, response } = await handle.client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'user', content: 'audit me' }] })
      .withResponse();
    const id = response.headers.get('x-request-id') ?? '';
    const records = (await handle.auditRecords()).filter((line) => line.http.request.id === id);
    assert.equal(records.length, 1);
    const record = records[0];
    assert.equal(record?.http.response.status_code, 200);
    assert.equal(record?.gen_ai.response?.model, 'claude-haiku-4-5');
    assert.equal(record?.gen_ai.usage?.input_tokens, data.usage?.prompt_tokens);
    assert.equal(record?.gen_ai.usage?.output_tokens, data.usage?.completion_tokens);
    assert.deepEqual(record?.aigw.attempts.map((attempt) => [attempt.provider, attempt.outcome]), [['anthropic', 'success']]);
    assert.equal(record?.['user'] === undefined ? undefined : (record['user'] as { id: string }).id, 'chat-tests');
  });

  test('the JSON logs never contain the bearer key nor, by default, the prompt', async () => {
    const prompt = 'my very secret prompt 8c1f';
    await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    // A rejected key must not be logged either.
    await assert.rejects(handle.newClient({ apiKey: 'sk-wrong-key-5f2e9a' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }));
    const text = handle.logText();
    assert.ok(handle.logLines().some((line) => line['msg'] === 'request completed'), 'the gateway logged its request lines');
    assert.ok(!text.includes(KEY), 'the bearer key is not in the logs');
    assert.ok(!text.includes('sk-wrong-key-5f2e9a'), 'a rejected key is not in the logs');
    assert.ok(!text.includes('test-openai-key'), 'the provider key is not in the logs');
    assert.ok(!text.includes(prompt), 'the prompt is not in the logs');
    for (const line of handle.logLines()) assert.equal(typeof line['level'], 'number');
  });

  test('no open-gateway warning when the manifest has credentials', () => {
    assert.ok(!handle.logText().includes('OPEN GATEWAY'));
    assert.deepEqual(handle.gateway.warnings.filter((warning) => warning.includes('OPEN GATEWAY')), []);
  });
});

describe('an open gateway (no credentials)', () => {
  test('warns loudly at startup, in the JSON log, and serves requests without a key', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, manifest(mock, false));
    const warning = handle.logLines().find((line) => String(line['msg']).startsWith('OPEN GATEWAY'));
    assert.ok(warning, 'open-gateway warning in the log');
    assert.equal(warning['level'], 40);
    const answer = await handle.newClient({ apiKey: 'whatever' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(answer.object, 'chat.completion');
  });

  test('a reload that removes every credential is as loud as starting open', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, manifest(mock, true), { settings: { watch: true } });
    assert.ok(!handle.logText().includes('OPEN GATEWAY'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${handle.directory}/routes.yaml`, manifest(mock, false));
    await eventually(() => (handle.logLines().some((line) => String(line['msg']).startsWith('OPEN GATEWAY')) ? true : undefined), 5_000, 'the open-gateway warning after the reload');
  });

  test('with AIGW_LOG_PROMPTS the prompt is logged (and still no key)', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, manifest(mock, false), { settings: { logPrompts: true } });
    const prompt = 'please log this prompt 41d7';
    await handle.newClient({ apiKey: 'sk-not-logged-4242' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    assert.ok(handle.logText().includes(prompt));
    assert.ok(!handle.logText().includes('sk-not-logged-4242'));
  });

  test('with AIGW_LOG_PROMPTS the logged prompt goes through the audit redact rules', async (t) => {
    const mock = await startTestMock(t);
    const handle = await startTestGateway(t, `${manifest(mock, false)}  redact: [card, email]\n`, { settings: { logPrompts: true } });
    await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'card 4111 1111 1111 1111, mail jane@example.com, order 77' }] });
    const logged = handle.logLines().find((line) => line['msg'] === 'prompt');
    assert.equal(logged?.['prompt'], 'user: card [REDACTED:card], mail [REDACTED:email], order 77');
    assert.ok(!handle.logText().includes('4111 1111'));
  });
});

/** The fenced blocks of one README section, by info string. */
function readmeBlocks(readme: string, section: string, language: string): string[] {
  const start = readme.indexOf(`<!-- section:${section} `);
  const end = readme.indexOf(`<!-- /section:${section} -->`);
  assert.ok(start !== -1 && end > start, `README section ${section}`);
  return [...readme.slice(start, end).matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');
}

describe('npm start: the demo and the README quickstart', () => {
  let url: string;
  let readme: string;
  const scope = suiteScope(after);
  before(async () => {
    const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts['prestart'], 'npm run build', 'npm start builds first (a fresh clone has no dist/)');
    const start = pkg.scripts['start']?.split(' ') ?? [];
    assert.deepEqual(start.slice(0, 3), ['node', 'dist/cli/bin.js', 'serve']);
    readme = await readFile(`${ROOT}README.md`, 'utf8');
    const directory = await tempDirectory(scope);
    // npm start's own arguments; only the port (8080 may be taken here) and the audit file differ.
    const serve = await spawnServe(scope, [...start.slice(3), '--audit-file', `${directory}/audit.jsonl`]);
    url = serve.url;
    assert.match(serve.stderr(), /demo mode: every provider is the built-in mock/);
    // Node prints process warnings (deprecations, listener leaks) as "(node:PID) …".
    assert.doesNotMatch(serve.stderr(), /\(node:\d+\)/, 'no process warning printed at startup');
  });

  test('every example route answers through the mock, non-stream and stream, with the official SDK', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'anything', maxRetries: 0 });
    const models = (await client.models.list()).data.map((model) => model.id);
    assert.deepEqual(models, ['gpt-4o-mini', 'claude-sonnet', 'claude-haiku-bedrock', 'llama-3.1-8b']);
    for (const model of models) {
      const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
      assert.ok((data.choices[0]?.message.content ?? '').length > 0, model);
      assert.ok(response.headers.get('x-aigw-provider'), model);
      let text = '';
      for await (const chunk of await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], stream: true })) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
      assert.ok(text.length > 0, `${model} streamed`);
    }
  });

  test('the README curl snippet works as written (only the origin swapped)', async () => {
    const [curl] = readmeBlocks(readme, 'quickstart', 'sh').filter((block) => block.includes('curl'));
    assert.ok(curl !== undefined && curl.includes('http://127.0.0.1:8080/v1/chat/completions'));
    const { stdout } = await run('bash', ['-c', curl.replaceAll('http://127.0.0.1:8080', url)], { timeout: 20_000 });
    const answer = JSON.parse(stdout) as { object: string; choices: { message: { content: string } }[] };
    assert.equal(answer.object, 'chat.completion');
    assert.ok((answer.choices[0]?.message.content ?? '').length > 0);
  });

  test('the README OpenAI SDK snippet runs as written (only the origin swapped)', async () => {
    const [snippet] = readmeBlocks(readme, 'quickstart', 'js');
    assert.ok(snippet !== undefined && snippet.includes("new OpenAI({ baseURL: 'http://127.0.0.1:8080/v1', apiKey: 'anything' })"));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', snippet.replaceAll('http://127.0.0.1:8080', url)], { cwd: ROOT, timeout: 20_000 });
    const [first, second] = stdout.split('\n');
    assert.match(first ?? '', /^(claude-haiku-4-5|gpt-4o-mini) \S/, 'model and answer');
    assert.ok((second ?? '').length > 0, 'the streamed answer');
  });
});
