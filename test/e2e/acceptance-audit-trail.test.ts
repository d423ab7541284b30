/**
 * Issue 6 items 1–3 through `serve` (startGateway + aigw mock, real sockets): the unit tests pin the
 * record builder and the writer; this pins what the gateway feeds them.
 * - one record per request, rejected ones too (401 missing/unknown key, 403, 404, 429), each with its
 *   status, the credential id when one was matched, and never a key;
 * - an answered record carries timestamp, client address, credential, route, requested and answering
 *   model, attempts with durations, usage, stream flag, status, time to first byte and total;
 * - the manifest's `audit:` block is applied: full capture with preset and custom redactions and the
 *   max length; with no block, the defaults (prompt hashed, completion none);
 * - several sinks at once: two JSONL sinks from the manifest each receive every record.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import {
  mockProviders, postRaw, startTestGateway, startTestMock, suiteScope, tempDirectory, type GatewayHandle,
} from './helpers/gateway-harness.js';

const KEY = 'sk-audit-acceptance-full-0001';
const NARROW_KEY = 'sk-audit-acceptance-narrow-0002';
const LIMITED_KEY = 'sk-audit-acceptance-limited-0003';
const UNKNOWN_KEY = 'sk-audit-acceptance-unknown-0004';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const MAX_CAPTURE = 60;

type Json = Record<string, unknown>;
const at = (record: Json | undefined, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Json)[key] : undefined), record);

async function jsonl(file: string): Promise<Json[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Json);
}

async function chat(handle: GatewayHandle, id: string, key: string | undefined, model: string, content = 'Hello'): Promise<number> {
  const headers: Record<string, string> = { 'x-request-id': id };
  if (key !== undefined) headers['authorization'] = `Bearer ${key}`;
  return (await postRaw(`${handle.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }] }, headers)).status;
}

describe('audit records written by the gateway, with a manifest audit policy and two sinks', () => {
  const scope = suiteScope(after);
  let handle!: GatewayHandle;
  let sinkFiles: readonly [string, string];
  const records = async (): Promise<Json[]> => {
    assert.equal(await handle.gateway.audit.flush(5_000), true);
    return jsonl(sinkFiles[0]);
  };
  const only = async (id: string): Promise<Json> => {
    const found = (await records()).filter((record) => at(record, 'http.request.id') === id);
    assert.equal(found.length, 1, `exactly one audit record for ${id}, found ${found.length}`);
    return found[0] as Json;
  };

  before(async () => {
    const mock: RunningMock = await startTestMock(scope);
    const directory = await tempDirectory(scope, 'aigw-audit-acceptance-');
    sinkFiles = [join(directory, 'first.jsonl'), join(directory, 'second.jsonl')];
    handle = await startTestGateway(scope, `
${mockProviders(mock.url, { openai: 'openai' })}
credentials:
  - { id: full, key_sha256: "${sha256(KEY)}" }
  - { id: narrow, key_sha256: "${sha256(NARROW_KEY)}", routes: [ chat ] }
  - { id: limited, key_sha256: "${sha256(LIMITED_KEY)}", quota: { requests_per_minute: 1 } }
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
  - name: private
    match: { model: "private-model" }
    targets: [ { provider: openai, model: gpt-private } ]
audit:
  sinks: [ { type: jsonl, path: "${sinkFiles[0]}" }, { type: jsonl, path: "${sinkFiles[1]}" } ]
  prompt: full
  completion: full
  redact: [ email, { pattern: "ACME-[0-9]{6}" } ]
  max_capture_chars: ${MAX_CAPTURE}
`);
  });

  test('401 (missing key), 401 (unknown key), 403, 404 and 429 each leave exactly one record with their status', async () => {
    assert.equal(await chat(handle, 'audit-401-missing', undefined, 'gpt-4o-mini'), 401);
    assert.equal(await chat(handle, 'audit-401-unknown', UNKNOWN_KEY, 'gpt-4o-mini'), 401);
    assert.equal(await chat(handle, 'audit-403', NARROW_KEY, 'private-model'), 403);
    assert.equal(await chat(handle, 'audit-404', KEY, 'no-such-model'), 404);
    assert.equal(await chat(handle, 'audit-429-first', LIMITED_KEY, 'gpt-4o-mini'), 200);
    assert.equal(await chat(handle, 'audit-429', LIMITED_KEY, 'gpt-4o-mini'), 429);

    const expected: readonly [id: string, status: number, credential: string | undefined][] = [
      ['audit-401-missing', 401, undefined], ['audit-401-unknown', 401, undefined], ['audit-403', 403, 'narrow'],
      ['audit-404', 404, 'full'], ['audit-429-first', 200, 'limited'], ['audit-429', 429, 'limited'],
    ];
    for (const [id, status, credential] of expected) {
      const record = await only(id);
      assert.equal(at(record, 'http.response.status_code'), status, id);
      assert.equal(at(record, 'event.outcome'), status === 200 ? 'success' : 'failure', id);
      assert.equal(at(record, 'user.id'), credential, `${id}: the credential id (never the key)`);
      assert.equal(at(record, 'client.address'), '127.0.0.1', id);
      assert.match(String(at(record, '@timestamp')), /^\d{4}-\d\d-\d\dT/, id);
    }
    assert.equal(at(await only('audit-404'), 'gen_ai.request.model'), 'no-such-model');
    // A rejected request never reached a provider.
    for (const id of ['audit-401-missing', 'audit-403', 'audit-404', 'audit-429']) assert.deepEqual(at(await only(id), 'aigw.attempts'), [], id);
    const text = await readFile(sinkFiles[0], 'utf8');
    for (const key of [KEY, NARROW_KEY, LIMITED_KEY, UNKNOWN_KEY, 'test-openai-key']) assert.ok(!text.includes(key), 'no key in the audit trail');
  });

  test('an answered request records who, where, which route and models, every attempt, usage and timings', async () => {
    assert.equal(await chat(handle, 'audit-answered', KEY, 'gpt-4o-mini'), 200);
    const record = await only('audit-answered');
    assert.equal(at(record, 'user.id'), 'full');
    assert.equal(at(record, 'aigw.route'), 'chat');
    assert.equal(at(record, 'gen_ai.request.model'), 'gpt-4o-mini');
    assert.equal(at(record, 'aigw.provider'), 'openai');
    assert.equal(typeof at(record, 'gen_ai.response.model'), 'string');
    assert.equal(at(record, 'aigw.stream'), false);
    assert.equal(at(record, 'http.response.status_code'), 200);
    const attempts = at(record, 'aigw.attempts') as Json[];
    assert.equal(attempts.length, 1);
    assert.deepEqual([attempts[0]?.['provider'], attempts[0]?.['model'], attempts[0]?.['status'], attempts[0]?.['outcome']], ['openai', 'gpt-4o-mini', 200, 'success']);
    assert.equal(typeof attempts[0]?.['duration_ms'], 'number');
    const input = Number(at(record, 'gen_ai.usage.input_tokens'));
    const output = Number(at(record, 'gen_ai.usage.output_tokens'));
    assert.ok(input > 0 && output > 0);
    assert.equal(at(record, 'aigw.usage.total_tokens'), input + output);
    const ttfb = Number(at(record, 'aigw.ttfb_ms'));
    const total = Number(at(record, 'aigw.duration_ms'));
    assert.ok(Number.isFinite(ttfb) && ttfb >= 0 && ttfb <= total, `ttfb ${ttfb} within total ${total}`);
  });

  test('the manifest policy: full capture, presets and custom patterns redacted, cut to max_capture_chars', async () => {
    const content = `mail jane.doe@example.com about ACME-123456 ${'x'.repeat(200)}`;
    assert.equal(await chat(handle, 'audit-captured', KEY, 'gpt-4o-mini', content), 200);
    const record = await only('audit-captured');
    const prompt = String(at(record, 'gen_ai.prompt'));
    assert.ok(prompt.includes('[REDACTED:email]'), prompt);
    assert.ok(prompt.includes('[REDACTED]'), `the custom pattern is applied: ${prompt}`);
    assert.ok(!prompt.includes('jane.doe') && !prompt.includes('ACME-123456'), prompt);
    assert.equal(prompt.length, MAX_CAPTURE);
    assert.equal(at(record, 'aigw.prompt.truncated'), true);
    assert.ok(String(at(record, 'gen_ai.completion')).length > 0, 'completion: full captures the answer');
    assert.ok(!(await readFile(sinkFiles[0], 'utf8')).includes('jane.doe@example.com'), 'the address never reached the sink');
  });

  test('both sinks of the manifest receive every record', async () => {
    const first = (await records()).map((record) => at(record, 'http.request.id'));
    const second = (await jsonl(sinkFiles[1])).map((record) => at(record, 'http.request.id'));
    assert.ok(first.length >= 8, `${first.length} records`);
    assert.deepEqual(second, first);
  });
});

/** One route on the mock's openai, the gateway most audit tests need, with an optional audit block. */
async function chatGateway(scope: Parameters<typeof startTestMock>[0], audit = '', options: Parameters<typeof startTestGateway>[2] = {}): Promise<GatewayHandle> {
  const mock = await startTestMock(scope);
  return startTestGateway(scope, `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
${audit}`, options);
}

describe('rejected bodies name their error in the audit record', () => {
  const scope = suiteScope(after);
  let handle!: GatewayHandle;
  before(async () => {
    handle = await chatGateway(scope, '', { settings: { bodyLimit: 2_000 } });
  });

  test('a body that is not JSON (400 invalid_json) and one over the limit (413) carry their AIGW_E_* code, as the envelope', async () => {
    const send = (id: string, body: string) => fetch(`${handle.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body });
    assert.equal((await send('audit-invalid-json', '{nope')).status, 400);
    assert.equal((await send('audit-too-large', JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5_000) }] }))).status, 413);
    const records = await handle.auditRecords();
    const codeOf = (id: string): unknown => records.find((record) => record.http.request.id === id)?.error?.code;
    assert.equal(codeOf('audit-invalid-json'), 'AIGW_E_INVALID_JSON');
    assert.equal(codeOf('audit-too-large'), 'AIGW_E_BODY_TOO_LARGE');
  });
});

describe('audit defaults when the manifest has no audit block', () => {
  const scope = suiteScope(after);
  let handle!: GatewayHandle;
  before(async () => {
    handle = await chatGateway(scope);
  });

  test('the prompt is hashed (no text) and the completion is not captured', async () => {
    const content = 'a default-policy prompt 3f9a';
    assert.equal(await chat(handle, 'audit-default', 'any', 'gpt-4o-mini', content), 200);
    const record = (await handle.auditRecords()).find((line) => line.http.request.id === 'audit-default') as Json | undefined;
    assert.ok(record, 'the record is in the server audit file');
    assert.equal(at(record, 'gen_ai.prompt'), undefined);
    assert.equal(at(record, 'gen_ai.completion'), undefined);
    assert.equal(at(record, 'aigw.prompt.capture'), 'hash');
    assert.equal(at(record, 'aigw.prompt.sha256'), sha256(`user: ${content}`));
    assert.deepEqual(at(record, 'aigw.completion'), { capture: 'none' });
    assert.ok(!JSON.stringify(record).includes(content));
  });
});

describe('a JSONL sink rotated by the manifest\'s max_bytes and max_files', () => {
  const scope = suiteScope(after);
  let handle!: GatewayHandle;
  let sink!: string;
  before(async () => {
    const directory = await tempDirectory(scope, 'aigw-audit-rotation-');
    sink = join(directory, 'rotated.jsonl');
    handle = await chatGateway(scope, `audit:\n  sinks: [ { type: jsonl, path: "${sink}", max_bytes: 3000, max_files: 2 } ]\n`);
  });

  test('the file rotates to .1 and .2, no file grows past max_bytes by more than one batch, older ones are removed', async () => {
    for (let index = 0; index < 25; index += 1) {
      assert.equal(await chat(handle, `rotation-${index}`, 'any', 'gpt-4o-mini'), 200);
      await handle.gateway.audit.flush(5_000);
    }
    const files = [sink, `${sink}.1`, `${sink}.2`];
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
    const longest = Math.max(...texts.flatMap((text) => text.split('\n').map((line) => Buffer.byteLength(line) + 1)));
    for (const [index, text] of texts.entries()) {
      assert.ok(text.length > 0, `${files[index]} is written`);
      assert.ok(Buffer.byteLength(text) <= 3000 + longest, `${files[index]}: ${Buffer.byteLength(text)} bytes`);
    }
    await assert.rejects(readFile(`${sink}.3`), { code: 'ENOENT' }, 'max_files: 2 keeps two rotated files');
    // The newest records are in the live file, the oldest kept ones in .2.
    const ids = (text: string): string[] => text.trim().split('\n').map((line) => (JSON.parse(line) as { http: { request: { id: string } } }).http.request.id);
    assert.ok(ids(texts[0] ?? '').includes('rotation-24'));
    const kept = [...ids(texts[2] ?? ''), ...ids(texts[1] ?? ''), ...ids(texts[0] ?? '')];
    assert.deepEqual(kept, [...kept].sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1])), 'in order across the files');
  });
});
