import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeChangeSet } from '../../../runtime/manifest/changeset.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import type { Manifest } from '../../../runtime/manifest/types.js';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

function manifest(text: string, env: Record<string, string> = {}): Manifest {
  const result = loadManifest({ text, file: 'x.yaml' }, { env, allowMissingEnv: true });
  assert.ok(result.manifest, JSON.stringify(result.diagnostics));
  return result.manifest;
}

const seed = `
ai_routes:
  - name: chat-mid-tier
    match: { model: gpt-4o-mini }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 60, max_latency_ms: 800 }
      - { provider: openai, model: gpt-4o-mini, weight: 40, max_latency_ms: 800 }
    fallback: ollama/llama-3.1
`;

test('the same manifest twice is no change, whatever its formatting', () => {
  const compact = 'ai_routes: [{ name: chat-mid-tier, match: { model: gpt-4o-mini }, targets: [{ provider: anthropic, model: claude-haiku-4-5, weight: 60, max_latency_ms: 800 }, { provider: openai, model: gpt-4o-mini, weight: 40, max_latency_ms: 800 }], fallback: ollama/llama-3.1 }]';
  const changes = computeChangeSet(manifest(seed), manifest(compact));
  assert.deepEqual(changes, { changed: false, routes: [], providers: [], credentials: [], audit: [] });
});

test('a weight change is reported as traffic share before → after per provider/model', () => {
  const after = seed.replace('weight: 60', 'weight: 30').replace('weight: 40', 'weight: 70');
  const [route] = computeChangeSet(manifest(seed), manifest(after)).routes;
  assert.equal(route?.kind, 'changed');
  assert.deepEqual(route?.shares, [
    { target: 'anthropic/claude-haiku-4-5', before: 60, after: 30 },
    { target: 'openai/gpt-4o-mini', before: 40, after: 70 },
  ]);
  assert.deepEqual(route?.targets.map((target) => [target.target, target.kind, target.fields]), [
    ['anthropic/claude-haiku-4-5', 'changed', [{ field: 'weight', before: 60, after: 30 }]],
    ['openai/gpt-4o-mini', 'changed', [{ field: 'weight', before: 40, after: 70 }]],
  ]);
});

test('added and removed targets change shares; latency, fallback, timeout, failover_on and retry are listed', () => {
  const after = `
ai_routes:
  - name: chat-mid-tier
    match: { model: gpt-4o-mini }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 1, max_latency_ms: 1200 }
      - { provider: gemini, model: gemini-2.0-flash, weight: 2 }
    fallback: vllm/meta-llama/Llama-3.1-8B
    timeout_ms: 30000
    failover_on: [5xx, 429]
    retry: { attempts: 0 }
`;
  const [route] = computeChangeSet(manifest(seed), manifest(after)).routes;
  assert.deepEqual(route?.shares, [
    { target: 'anthropic/claude-haiku-4-5', before: 60, after: 33.3 },
    { target: 'gemini/gemini-2.0-flash', before: 0, after: 66.7 },
    { target: 'openai/gpt-4o-mini', before: 40, after: 0 },
  ]);
  assert.deepEqual(route?.targets.map((target) => [target.target, target.kind]), [
    ['anthropic/claude-haiku-4-5', 'changed'], ['gemini/gemini-2.0-flash', 'added'], ['openai/gpt-4o-mini', 'removed'],
  ]);
  assert.deepEqual(route?.targets[0]?.fields, [{ field: 'weight', before: 60, after: 1 }, { field: 'max_latency_ms', before: 800, after: 1200 }]);
  assert.deepEqual(route?.fields, [
    { field: 'fallback', before: 'ollama/llama-3.1', after: 'vllm/meta-llama/Llama-3.1-8B' },
    { field: 'timeout_ms', before: 60000, after: 30000 },
    { field: 'failover_on', before: ['5xx', '429', 'latency', 'connect_error', 'stream_error', 'context_length'], after: ['5xx', '429'] },
    { field: 'retry.attempts', before: 1, after: 0 },
  ]);
});

test('routes are sorted by name and marked added or removed', () => {
  const before = `${seed}  - { name: zeta, match: { model: z }, targets: [{ provider: openai, model: z }] }\n`;
  const after = `${seed.replace('chat-mid-tier', 'alpha')}`;
  const changes = computeChangeSet(manifest(before), manifest(after));
  assert.deepEqual(changes.routes.map((route) => [route.name, route.kind]), [['alpha', 'added'], ['chat-mid-tier', 'removed'], ['zeta', 'removed']]);
  assert.deepEqual(changes.routes[0]?.shares.map((share) => [share.target, share.before, share.after]),
    [['anthropic/claude-haiku-4-5', 0, 60], ['openai/gpt-4o-mini', 0, 40]]);
});

test('credential and quota changes are listed; key hashes are shortened', () => {
  const before = `credentials:\n  - { id: app, key_sha256: "${KEY_A}", quota: { requests_per_minute: 60 } }\n${seed}`;
  const after = `credentials:\n  - { id: app, key_sha256: "${KEY_B}", quota: { requests_per_minute: 120 }, routes: [chat-mid-tier] }\n  - { id: batch, key_sha256: "${KEY_A}" }\n${seed}`;
  const { credentials } = computeChangeSet(manifest(before), manifest(after));
  assert.deepEqual(credentials, [
    { id: 'app', kind: 'changed', fields: [
      { field: 'key_sha256', before: 'aaaaaaaaaaaa…', after: 'bbbbbbbbbbbb…' },
      { field: 'quota.requests_per_minute', before: 60, after: 120 },
      { field: 'routes', before: 'all', after: ['chat-mid-tier'] },
    ] },
    { id: 'batch', kind: 'added', fields: [{ field: 'key_sha256', after: 'aaaaaaaaaaaa…' }, { field: 'routes', after: 'all' }] },
  ]);
});

test('secrets are masked: env references by name, literal values never, a changed literal is still detected', () => {
  const env = { OPENAI_API_KEY: 'sk-env-value-1', OPENAI_KEY_2: 'sk-env-value-2' };
  const withEnv = `providers:\n  openai: { api_key: "\${OPENAI_API_KEY}" }\n${seed}`;
  const renamed = `providers:\n  openai: { api_key: "\${OPENAI_KEY_2}" }\n${seed}`;
  const literal1 = `providers:\n  openai: { api_key: "sk-literal-one" }\n${seed}`;
  const literal2 = `providers:\n  openai: { api_key: "sk-literal-two" }\n${seed}`;
  const rename = computeChangeSet(manifest(withEnv, env), manifest(renamed, env));
  assert.deepEqual(rename.providers, [{ id: 'openai', kind: 'changed', fields: [{ field: 'api_key', before: '${OPENAI_API_KEY}', after: '${OPENAI_KEY_2}' }] }]);
  const literal = computeChangeSet(manifest(literal1), manifest(literal2));
  assert.deepEqual(literal.providers, [{ id: 'openai', kind: 'changed', fields: [{ field: 'api_key', before: '****', after: '****', maskedChange: true }] }]);
  assert.deepEqual(computeChangeSet(manifest(literal1), manifest(literal1)).providers, []);
  const printed = JSON.stringify([rename, literal, computeChangeSet(manifest(withEnv, env), manifest(literal1))]);
  for (const secret of ['sk-env-value', 'sk-literal']) assert.equal(printed.includes(secret), false, secret);
});

test('a sink URL password (resolved from the environment) is masked, and a change of it still shows', () => {
  const sink = (index: string): string => `audit:\n  sinks: [{ type: elasticsearch, url: "\${ES_URL}", index: ${index} }]\n${seed}`;
  const before = manifest(sink('a'), { ES_URL: 'https://elastic:es-pw-one@es:9200' });
  const indexChange = computeChangeSet(before, manifest(sink('b'), { ES_URL: 'https://elastic:es-pw-one@es:9200' }));
  assert.deepEqual(indexChange.audit, [{ field: 'sinks', before: ['elasticsearch https://elastic:****@es:9200 index=a'], after: ['elasticsearch https://elastic:****@es:9200 index=b'] }]);
  const passwordChange = computeChangeSet(before, manifest(sink('a'), { ES_URL: 'https://elastic:es-pw-two@es:9200' }));
  assert.deepEqual(passwordChange.audit, [{ field: 'sinks', before: ['elasticsearch https://elastic:****@es:9200 index=a'], after: ['elasticsearch https://elastic:****@es:9200 index=a'], maskedChange: true }]);
  assert.equal(/es-pw-/.test(JSON.stringify([indexChange, passwordChange])), false);
});

test('provider settings, limits and audit policy changes are listed', () => {
  const before = `providers:\n  openai: { limits: { requests_per_minute: 100 } }\n${seed}`;
  const after = `providers:\n  openai: { base_url: "https://eu.api.openai.com/v1", limits: { requests_per_minute: 200 } }\naudit:\n  prompt: full\n  redact: [email]\n  sinks: [{ type: elasticsearch, url: "http://es:9200", index: aigw, api_key: "\${ES_KEY}" }]\n${seed}`;
  const changes = computeChangeSet(manifest(before), manifest(after));
  assert.deepEqual(changes.providers, [{ id: 'openai', kind: 'changed', fields: [
    { field: 'base_url', before: 'https://api.openai.com/v1', after: 'https://eu.api.openai.com/v1' },
    { field: 'limits.requests_per_minute', before: 100, after: 200 },
  ] }]);
  assert.deepEqual(changes.audit, [
    { field: 'sinks', before: [], after: ['elasticsearch http://es:9200 index=aigw api_key=${ES_KEY}'] },
    { field: 'prompt', before: 'hash', after: 'full' },
    { field: 'redact', before: [], after: ['email'] },
  ]);
});

test('computing a change set does not modify either manifest', () => {
  const before = manifest(seed);
  const after = manifest(seed.replace('weight: 60', 'weight: 10'));
  const snapshot = JSON.stringify([before.routes, after.routes]);
  computeChangeSet(before, after);
  assert.equal(JSON.stringify([before.routes, after.routes]), snapshot);
});

test('reordering targets is a change (it changes which one a failing request tries next); an added target is not a reorder', () => {
  const three = (order: readonly string[]) => manifest(`
ai_routes:
  - name: r
    match: { model: m }
    targets:
${order.map((line) => `      - ${line}`).join('\n')}
`);
  const a = '{ provider: openai, model: a, weight: 1 }';
  const b = '{ provider: anthropic, model: b, weight: 0 }';
  const c = '{ provider: gemini, model: c, weight: 0 }';
  const swapped = computeChangeSet(three([a, b, c]), three([a, c, b]));
  assert.equal(swapped.changed, true);
  assert.deepEqual(swapped.routes[0]?.fields, [{ field: 'targets order', before: ['openai/a', 'anthropic/b', 'gemini/c'], after: ['openai/a', 'gemini/c', 'anthropic/b'] }]);
  const added = computeChangeSet(three([a, b]), three([a, c, b]));
  assert.deepEqual(added.routes[0]?.fields, [], 'kept targets in the same order');
  assert.deepEqual(added.routes[0]?.targets.map((target) => `${target.kind} ${target.target}`), ['added gemini/c']);
});

test('one changed field of one route among many is reported, whichever field it is (unchanged routes take a shortcut)', () => {
  const routes = Array.from({ length: 50 }, (_, index) => `  - name: r${index}
    match: { model: "m${index}" }
    targets:
      - { provider: openai, model: gpt-4o-mini, weight: 3, max_latency_ms: 800, prefill: false }
      - { provider: anthropic, model: claude-haiku-4-5, weight: 1 }
    fallback: ollama/llama-3.1
    timeout_ms: 30000
    failover_on: [5xx, latency]
    retry: { attempts: 1, backoff_ms: 250, max_retry_after_ms: 5000 }
    stream_failover: continue
    stream_idle_timeout_ms: 15000
    drop_params: false
    default_max_tokens: 4096`).join('\n');
  const before = manifest(`ai_routes:\n${routes}\n`);
  assert.equal(computeChangeSet(before, before).changed, false);
  const at = 17;
  type RouteEdit = (route: Manifest['routes'][number]) => Manifest['routes'][number];
  const target = (index: number, edit: Partial<Manifest['routes'][number]['targets'][number]>): RouteEdit =>
    (route) => ({ ...route, targets: route.targets.map((entry, position) => (position === index ? { ...entry, ...edit } : entry)) });
  const edits: Record<string, RouteEdit> = {
    'match.model': (route) => ({ ...route, match: { model: 'other' } }),
    fallback: (route) => ({ ...route, fallback: { provider: 'ollama', model: 'llama-3.2', weight: 0 } }),
    'no fallback': ({ fallback: _dropped, ...route }) => route,
    timeout_ms: (route) => ({ ...route, timeoutMs: 1000 }),
    failover_on: (route) => ({ ...route, failoverOn: ['5xx'] }),
    'failover_on order': (route) => ({ ...route, failoverOn: ['latency', '5xx'] }),
    'retry.attempts': (route) => ({ ...route, retry: { ...route.retry, attempts: 2 } }),
    'retry.backoff_ms': (route) => ({ ...route, retry: { ...route.retry, backoffMs: 100 } }),
    'retry.max_retry_after_ms': (route) => ({ ...route, retry: { ...route.retry, maxRetryAfterMs: 1 } }),
    stream_failover: (route) => ({ ...route, streamFailover: 'error' }),
    stream_idle_timeout_ms: (route) => ({ ...route, streamIdleTimeoutMs: 1 }),
    drop_params: (route) => ({ ...route, dropParams: true }),
    default_max_tokens: (route) => ({ ...route, defaultMaxTokens: 1 }),
    'target weight': target(0, { weight: 5 }),
    'target max_latency_ms': target(0, { maxLatencyMs: 900 }),
    'target prefill': target(0, { prefill: true }),
    'target model': target(1, { model: 'claude-sonnet-4-5' }),
    'target provider': target(1, { provider: 'gemini' }),
    'targets order': (route) => ({ ...route, targets: [...route.targets].reverse() }),
    'a target removed': (route) => ({ ...route, targets: route.targets.slice(0, 1) }),
  };
  for (const [field, edit] of Object.entries(edits)) {
    const after: Manifest = { ...before, routes: before.routes.map((route, index) => (index === at ? edit(route) : route)) };
    const changes = computeChangeSet(before, after);
    assert.deepEqual(changes.routes.map((route) => route.name), [`r${at}`], field);
  }
});
