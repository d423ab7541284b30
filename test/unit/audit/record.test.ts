import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildAuditRecord, renderMessages, type AuditInput } from '../../../runtime/audit/record.js';
import { createRedactor } from '../../../runtime/audit/redact.js';
import { ANSWERED_INPUT } from './audit-test-kit.js';

const redactor = createRedactor({ redact: [{ preset: 'email' }], maxCaptureChars: 8192 });
const full = { prompt: 'full', completion: 'full', redactor } as const;

const answered = ANSWERED_INPUT;

test('an answered request maps onto ECS and gen_ai field names', () => {
  const record = buildAuditRecord(answered, full);
  assert.deepEqual(record, {
    '@timestamp': '2026-01-01T00:00:00.000Z',
    'ecs': { version: '8.11.0' },
    'event': {
      kind: 'event', category: ['web'], type: ['access'], dataset: 'aigw.audit', action: 'chat-completion', outcome: 'success',
      start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T00:00:01.000Z', duration: 1_000_500_000,
    },
    'http': { request: { id: 'req-1', method: 'POST' }, response: { status_code: 200 } },
    'url': { path: '/v1/chat/completions' },
    'client': { address: '10.0.0.7', ip: '10.0.0.7' },
    'user': { id: 'team-a' },
    'user_agent': { original: 'OpenAI/JS 6.0' },
    'transaction': { id: 'req-1' },
    'gen_ai': {
      system: 'anthropic',
      operation: { name: 'chat' },
      request: { model: 'gpt-4o-mini' },
      response: { model: 'claude-haiku-4-5', finish_reasons: ['stop'] },
      usage: { input_tokens: 12, output_tokens: 30 },
      prompt: 'system: Be terse.\nuser: Mail [REDACTED:email]',
      completion: 'Done.',
    },
    'aigw': {
      route: 'chat-default', provider: 'anthropic', model: 'claude-haiku-4-5',
      attempts: [
        { provider: 'openai', model: 'gpt-4o-mini', status: 503, reason: 'retryable_5xx', outcome: 'failure', duration_ms: 120 },
        { provider: 'mistral', model: 'mistral-small', reason: 'circuit_open', outcome: 'skipped', duration_ms: 0 },
        { provider: 'anthropic', model: 'claude-haiku-4-5', status: 200, outcome: 'success', duration_ms: 800 },
      ],
      attempt_count: 2, failover: true, stream: true, ttfb_ms: 350, duration_ms: 1_000.5,
      usage: { total_tokens: 42, cached_input_tokens: 4 },
      finish_reason_raw: 'end_turn', dropped_params: ['logit_bias'], manifest_version: 'sha256:abc',
      prompt: { capture: 'full', chars: 'system: Be terse.\nuser: Mail [REDACTED:email]'.length, truncated: false },
      completion: { capture: 'full', chars: 5, truncated: false },
    },
  });
});

test('a rejected request (401) still gets a record, marked failure, with no provider fields', () => {
  const record = buildAuditRecord({
    timestamp: 0, requestId: 'req-2', method: 'POST', path: '/v1/chat/completions', clientAddress: 'unix:/tmp/s',
    attempts: [], stream: false, status: 401, errorCode: 'AIGW_E_UNAUTHENTICATED', errorMessage: 'missing bearer key', durationMs: 1,
  }, full) as Record<string, Record<string, unknown>>;
  assert.equal(record['event']?.['outcome'], 'failure');
  assert.deepEqual(record['error'], { code: 'AIGW_E_UNAUTHENTICATED', message: 'missing bearer key' });
  assert.deepEqual(record['client'], { address: 'unix:/tmp/s' }, 'a non-IP address is not put in client.ip');
  assert.deepEqual(record['gen_ai'], { operation: { name: 'chat' } });
  assert.deepEqual(record['aigw'], { attempts: [], attempt_count: 0, failover: false, stream: false, duration_ms: 1 });
  assert.equal(record['user'], undefined);
});

test('a stream that ended in an in-band error is a failure even with status 200', () => {
  const record = buildAuditRecord({ ...answered, errorCode: 'AIGW_E_STREAM_INTERRUPTED' }, full) as Record<string, Record<string, unknown>>;
  assert.equal(record['event']?.['outcome'], 'failure');
});

test('aigw.failover is the run\'s own verdict (routing/counted-outcome.ts), not recomputed from the attempts', () => {
  const failedThenAnswered: AuditInput['attempts'] = [
    { provider: 'a', model: 'm', status: 503, reason: 'retryable_5xx', outcome: 'failure', durationMs: 1 },
    { provider: 'b', model: 'm', status: 200, outcome: 'success', durationMs: 1 },
  ];
  const { failover: _verdict, ...withoutVerdict } = answered;
  for (const [failover, expected] of [[true, true], [false, false], [undefined, false]] as const) {
    const record = buildAuditRecord({ ...withoutVerdict, attempts: failedThenAnswered, ...(failover === undefined ? {} : { failover }) }, full) as Record<string, Record<string, unknown>>;
    assert.equal(record['aigw']?.['failover'], expected, String(failover));
  }
});

test('capture hash keeps only the digest; none keeps neither text nor digest', () => {
  const hashed = buildAuditRecord(answered, { prompt: 'hash', completion: 'none', redactor }) as Record<string, Record<string, unknown>>;
  assert.equal(hashed['gen_ai']?.['prompt'], undefined);
  assert.equal(hashed['gen_ai']?.['completion'], undefined);
  const aigw = hashed['aigw'] as Record<string, Record<string, unknown>>;
  assert.match(String(aigw['prompt']?.['sha256']), /^[0-9a-f]{64}$/);
  assert.deepEqual(aigw['completion'], { capture: 'none' });
  assert.doesNotMatch(JSON.stringify(hashed), /jane@example\.com/);
});

test('error.message is redacted like the prompt, whatever the capture policy: a provider error may quote the request', () => {
  // vLLM's validation errors echo the offending message whole; this record captures no prompt at all.
  const echoed = "[{'msg': 'bad', 'input': {'role': 'user', 'content': 'write to jane@example.com'}}]";
  const record = buildAuditRecord({ ...answered, status: 400, errorCode: 'AIGW_E_UPSTREAM_REJECTED', errorMessage: echoed }, { prompt: 'none', completion: 'none', redactor });
  assert.deepEqual(record['error'], { code: 'AIGW_E_UPSTREAM_REJECTED', message: "[{'msg': 'bad', 'input': {'role': 'user', 'content': 'write to [REDACTED:email]'}}]" });
  assert.doesNotMatch(JSON.stringify(record), /jane@example\.com/);
});

test('gen_ai.system uses OpenTelemetry well-known values, else the provider type', () => {
  const system = (providerType: NonNullable<AuditInput['providerType']>) =>
    (buildAuditRecord({ ...answered, providerType }, full) as Record<string, Record<string, unknown>>)['gen_ai']?.['system'];
  assert.equal(system('bedrock'), 'aws.bedrock');
  assert.equal(system('vertex-ai'), 'gcp.vertex_ai');
  assert.equal(system('azure-openai'), 'az.ai.openai');
  assert.equal(system('vllm'), 'vllm');
});

test('messages render as role lines with tool calls and part placeholders', () => {
  assert.equal(renderMessages([
    { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:…' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }] },
    { role: 'tool', tool_call_id: 'c', content: '42' },
  ]), 'user: look\n[image_url]\nassistant: get({"q":1})\ntool: 42');
});

/** Every field a record can carry is mapped explicitly in the index template (dynamic: false drops the rest from search). */
test('every record field has an explicit mapping in schemas/audit-index-template.json', () => {
  const template = JSON.parse(readFileSync(new URL('../../../schemas/audit-index-template.json', import.meta.url), 'utf8')) as {
    template: { mappings: { properties: Record<string, unknown> } };
  };
  const mapped = new Set<string>();
  const walkMapping = (properties: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(properties)) {
      const field = value as { type?: string; properties?: Record<string, unknown> };
      if (field.properties !== undefined) walkMapping(field.properties, `${prefix}${name}.`);
      if (field.type !== undefined) mapped.add(`${prefix}${name}`);
    }
  };
  walkMapping(template.template.mappings.properties, '');
  const leaves: string[] = [];
  const walkRecord = (value: unknown, path: string): void => {
    if (Array.isArray(value)) { for (const item of value) walkRecord(item, path); return; }
    if (value !== null && typeof value === 'object') {
      if (mapped.has(path)) return;
      for (const [name, child] of Object.entries(value)) walkRecord(child, path === '' ? name : `${path}.${name}`);
      return;
    }
    leaves.push(path);
  };
  walkRecord(buildAuditRecord(answered, full), '');
  walkRecord(buildAuditRecord({ ...answered, errorCode: 'AIGW_E_TIMEOUT', errorMessage: 'x' }, { prompt: 'hash', completion: 'hash', redactor }), '');
  const unmapped = [...new Set(leaves)].filter((leaf) => !mapped.has(leaf));
  assert.ok(new Set(leaves).size > 20, `the records reached only ${new Set(leaves).size} leaf fields`);
  assert.deepEqual(unmapped, []);
});

/** docs/audit-fields.md lists every field a record can carry (its table's first column, `a` / `b` shorthand expanded). */
test('docs/audit-fields.md documents every field a record can carry', () => {
  const rows = readFileSync(new URL('../../../docs/audit-fields.md', import.meta.url), 'utf8').split('\n').filter((line) => line.startsWith('| `'));
  const documented = new Set<string>();
  const rowText = new Map<string, string>();
  for (const row of rows) {
    const [first = '', , meaning = ''] = row.split(' | ').map((cell) => cell.replace(/^\| /, ''));
    let parent = '';
    for (const [, name = ''] of first.matchAll(/`([^`]+)`/g)) {
      // `gen_ai.usage.input_tokens` / `output_tokens`: a bare name is a sibling of the one before.
      const path = name.includes('.') || parent === '' ? name : `${parent}.${name}`;
      parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
      documented.add(path);
      rowText.set(path, meaning);
    }
  }
  const leaves = new Set<string>();
  const walk = (value: unknown, path: string, inArray: string | undefined): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path, typeof item === 'object' && item !== null ? path : inArray);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) walk(child, path === '' ? name : `${path}.${name}`, inArray);
      return;
    }
    leaves.add(inArray === undefined || inArray === path ? path : `${inArray}[].${path.slice(inArray.length + 1)}`);
  };
  const hashed = { prompt: 'hash', completion: 'hash', redactor } as const;
  walk(buildAuditRecord({ ...answered, eventId: 'e-1', droppedParams: ['seed'], clientAborted: true, manifestVersion: 'v', rawFinishReason: 'end_turn' }, full), '', undefined);
  walk(buildAuditRecord({ ...answered, errorCode: 'AIGW_E_TIMEOUT', errorMessage: 'x' }, hashed), '', undefined);
  walk(buildAuditRecord({ ...answered, promptMessages: [{ role: 'user', content: 'x'.repeat(10_000) }] }, full), '', undefined);
  assert.ok(leaves.size > 40, `the records reached only ${leaves.size} leaf fields`);
  const missing = [...leaves].filter((leaf) => {
    const [array, member] = leaf.split('[].');
    // A field of an array of objects (aigw.attempts[].reason) is named in its array's row.
    if (member !== undefined) return !documented.has(array ?? '') || !(rowText.get(array ?? '') ?? '').includes(`\`${member}\``);
    return !documented.has(leaf);
  });
  assert.deepEqual(missing, []);
});
