/**
 * One table, one row per rule id of the registry: a manifest that fires the rule at an exact
 * line:col, and a close variant that does not fire it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { RULES, type RuleId } from '../../../runtime/lint/registry.js';

const KEY = 'a'.repeat(64);
const CREDENTIALS = `credentials:\n  - { id: app, key_sha256: "${KEY}" }\n`;
const join = (...lines: string[]): string => `${lines.join('\n')}\n`;
/** A valid manifest with credentials: line 1-2 credentials, line 3 ai_routes, route at line 4. */
const route = (...extra: string[]): string => join(
  `credentials:\n  - { id: app, key_sha256: "${KEY}" }`,
  'ai_routes:',
  '  - name: chat',
  '    match: { model: m }',
  '    targets: [{ provider: openai, model: m }]',
  ...extra,
);

interface Case {
  readonly fires: string | Uint8Array;
  readonly at: readonly [line: number, column: number];
  readonly clean: string;
  readonly env?: Record<string, string>;
}

const cases: Record<RuleId, Case> = {
  'yaml/syntax': { fires: route('    fallback: [ollama'), at: [8, 1], clean: route('    fallback: ollama/x') },
  'yaml/duplicate-key': { fires: route('    name: again'), at: [7, 5], clean: route('    timeout_ms: 100') },
  'yaml/alias-limit': {
    fires: join('a: &a [1,1,1,1,1,1,1,1,1,1]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]'),
    at: [2, 8],
    clean: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - &r { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }', '  - { <<: *r, name: b, match: { model: b } }'),
  },
  'yaml/too-deep': {
    fires: route(`    drop_params: ${'['.repeat(70)}${']'.repeat(70)}`), at: [7, 79],
    clean: route(`    drop_params: false`),
  },
  'yaml/too-large': { fires: `${route()}#${'x'.repeat(1024 * 1024)}\n`, at: [1, 1], clean: `${route()}#${'x'.repeat(1000)}\n` },
  'yaml/not-utf8': { fires: new Uint8Array([...new TextEncoder().encode(route()), 0x23, 0xc3, 0x28]), at: [7, 2], clean: `${route()}# é\n` },
  'yaml/empty': { fires: '# nothing here\n', at: [1, 1], clean: route() },
  'schema/unknown-key': { fires: route('    retries: 2'), at: [7, 5], clean: route('    retry: { attempts: 2 }') },
  'schema/type': { fires: route('    drop_params: "yes"'), at: [7, 18], clean: route('    drop_params: true') },
  'schema/required': { fires: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: chat', '    targets: [{ provider: openai, model: m }]'), at: [4, 5], clean: route() },
  'schema/enum': { fires: route('    stream_failover: abort'), at: [7, 22], clean: route('    stream_failover: error') },
  'schema/format': { fires: join(CREDENTIALS.trimEnd(), 'providers:', '  "my openai": { type: openai }', 'ai_routes: []'), at: [4, 3], clean: route() },
  'schema/range': { fires: route('    retry: { attempts: 11 }'), at: [7, 24], clean: route('    retry: { attempts: 10 }') },
  'env/missing-variable': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  openai: { api_key: "sk-${MISSING_KEY}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }'),
    at: [4, 26],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  openai: { api_key: "sk-${PRESENT_KEY}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }'),
    env: { PRESENT_KEY: 'x' },
  },
  'env/malformed-reference': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  ollama: { base_url: "http://${HOST:localhost}:11434" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: ollama, model: a }] }'),
    at: [4, 31],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  ollama: { base_url: "http://${HOST:-localhost}:11434" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: ollama, model: a }] }'),
  },
  'provider/unknown-id': { fires: route('    fallback: olama/llama-3.1'), at: [7, 15], clean: route('    fallback: ollama/llama-3.1') },
  'provider/literal-secret': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  openai:', '    api_key: sk-live-123', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }'),
    at: [5, 14],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  openai:', '    api_key: "${OPENAI_API_KEY:-unset}"', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }'),
  },
  'provider/unused': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  groq: {}', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }'),
    at: [4, 3],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  groq: {}', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }], fallback: groq/llama-3.1-8b }'),
  },
  'provider/missing-setting': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  bedrock: {}', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: bedrock, model: a }] }'),
    at: [4, 3],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  bedrock: { region: eu-central-1 }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: bedrock, model: a }] }'),
  },
  'provider/unsupported-setting': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  gemini: { project: acme }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: gemini, model: a }] }'),
    at: [4, 13],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  vertex-ai: { project: acme }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: vertex-ai, model: a }] }'),
  },
  'provider/bad-base-url': {
    fires: join(CREDENTIALS.trimEnd(), 'providers:', '  ollama: { base_url: "ftp://ollama:11434" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: ollama, model: a }] }'),
    at: [4, 23],
    clean: join(CREDENTIALS.trimEnd(), 'providers:', '  ollama: { base_url: "http://ollama:11434/" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: ollama, model: a }] }'),
  },
  'route/duplicate-name': {
    fires: route('  - { name: chat, match: { model: n }, targets: [{ provider: openai, model: n }] }'), at: [7, 13],
    clean: route('  - { name: chat-2, match: { model: n }, targets: [{ provider: openai, model: n }] }'),
  },
  'route/unreachable': {
    fires: route('  - { name: other, match: { model: m }, targets: [{ provider: openai, model: n }] }'), at: [7, 36],
    clean: route('  - { name: other, match: { model: n }, targets: [{ provider: openai, model: n }] }'),
  },
  'route/weights-all-zero': {
    fires: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, weight: 0 }'),
    at: [6, 5],
    clean: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, weight: 0 }', '      - { provider: groq, model: a }'),
  },
  'route/weight-invalid': {
    fires: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, weight: 2.5 }'),
    at: [7, 47],
    clean: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, weight: 2 }'),
  },
  'route/duplicate-target': {
    fires: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a }', '      - { provider: openai, model: a }'),
    at: [8, 9],
    clean: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a }', '      - { provider: openai, model: b }'),
  },
  'route/fallback-format': { fires: route('    fallback: "ollama / llama"'), at: [7, 15], clean: route('    fallback: ollama/library/llama3.1:8b') },
  'route/fallback-repeats-target': { fires: route('    fallback: openai/m'), at: [7, 15], clean: route('    fallback: openai/m-mini') },
  'route/latency-exceeds-timeout': {
    fires: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, max_latency_ms: 60001 }'),
    at: [7, 55],
    clean: join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', '      - { provider: openai, model: a, max_latency_ms: 60000 }'),
  },
  'credential/bad-key-hash': {
    fires: join('credentials:', '  - id: app', `    key_sha256: ${KEY.slice(1)}g`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
    at: [3, 17],
    clean: join('credentials:', '  - id: app', `    key_sha256: ${KEY.toUpperCase()}`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
  },
  'credential/unknown-route': {
    fires: join('credentials:', `  - { id: app, key_sha256: "${KEY}", routes: [a, b] }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
    at: [2, 108],
    clean: join('credentials:', `  - { id: app, key_sha256: "${KEY}", routes: [a] }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
  },
  'credential/duplicate-id': {
    fires: join('credentials:', `  - { id: app, key_sha256: "${KEY}" }`, `  - { id: app, key_sha256: "${'b'.repeat(64)}" }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
    at: [3, 11],
    clean: join('credentials:', `  - { id: app, key_sha256: "${KEY}" }`, `  - { id: batch, key_sha256: "${'b'.repeat(64)}" }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
  },
  'credential/duplicate-key': {
    fires: join('credentials:', `  - { id: app, key_sha256: "${KEY}" }`, `  - { id: batch, key_sha256: "${KEY}" }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
    at: [3, 30],
    clean: join('credentials:', `  - { id: app, key_sha256: "${KEY}" }`, `  - { id: batch, key_sha256: "${'b'.repeat(64)}" }`, 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
  },
  'credential/quota-below-request': {
    fires: join('credentials:', '  - id: app', `    key_sha256: "${KEY}"`, '    quota: { tokens_per_minute: 1000 }', 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
    at: [4, 33],
    clean: join('credentials:', '  - id: app', `    key_sha256: "${KEY}"`, '    quota: { tokens_per_minute: 5000 }', 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'),
  },
  'audit/bad-redact-pattern': {
    fires: route().concat('audit:\n  redact: [ { pattern: "${REDACT_PATTERN}" } ]\n'), at: [8, 24],
    clean: route().concat('audit:\n  redact: [ { pattern: "ACME-[0-9]+" } ]\n'),
    env: { REDACT_PATTERN: '(' },
  },
  'audit/slow-redact-pattern': {
    fires: route().concat('audit:\n  redact: [ { pattern: "(\\\\w+\\\\s?)+@corp" } ]\n'), at: [8, 24],
    clean: route().concat('audit:\n  redact: [ { pattern: "[\\\\w\\\\s]+@corp" } ]\n'),
  },
  'audit/quadratic-redact-pattern': {
    fires: route().concat('audit:\n  redact: [ { pattern: "[a-z0-9._%+-]+@[a-z0-9.-]+\\\\.[a-z]{2,}" } ]\n'), at: [8, 24],
    clean: route().concat('audit:\n  redact: [ { pattern: "(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9.-]+\\\\.[a-z]{2,}" } ]\n'),
  },
  'audit/bad-sink': {
    fires: route().concat('audit:\n  sinks: [ { type: elasticsearch, url: "not a url", index: aigw } ]\n'), at: [8, 40],
    clean: route().concat('audit:\n  sinks: [ { type: elasticsearch, url: "http://es:9200", index: aigw } ]\n'),
  },
  'credential/none': {
    fires: join('# no credentials', 'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]'), at: [2, 1],
    clean: route(),
  },
};

test('every registered rule id has a row in this table, and no row names an unknown id', () => {
  assert.deepEqual(Object.keys(cases).sort(), RULES.map((rule) => rule.id).sort());
});

for (const [ruleId, testCase] of Object.entries(cases) as [RuleId, Case][]) {
  test(`${ruleId} fires at ${testCase.at.join(':')} and stays quiet on the corrected manifest`, () => {
    const env = testCase.env ?? {};
    const fired = loadManifest({ text: testCase.fires, file: 'routes.yaml' }, { env });
    const hit = fired.diagnostics.find((diagnostic) => diagnostic.ruleId === ruleId);
    assert.ok(hit, `${ruleId} did not fire: ${JSON.stringify(fired.diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line, diagnostic.column]))}`);
    assert.deepEqual([hit.line, hit.column], [...testCase.at], hit.message);
    const clean = loadManifest({ text: testCase.clean, file: 'routes.yaml' }, { env });
    assert.deepEqual(clean.diagnostics.filter((diagnostic) => diagnostic.ruleId === ruleId), []);
    assert.deepEqual(clean.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), [], 'the corrected manifest is valid');
  });
}

test('did-you-mean hints name the closest provider, key and route', () => {
  const typo = (text: string) => loadManifest({ text, file: 'x' }, { env: {} }).diagnostics[0]?.hint ?? '';
  assert.match(typo(cases['provider/unknown-id'].fires as string), /did you mean "ollama"\?/);
  assert.match(typo(route('    timeout: 5')), /did you mean "timeout_ms"\?/);
  assert.match(typo(join('credentials:', `  - { id: app, key_sha256: "${KEY}", routes: [chta] }`, 'ai_routes: [{ name: chat, match: { model: a }, targets: [{ provider: openai, model: a }] }]')),
    /did you mean "chat"\?/);
});

test('a literal secret and a pasted key never appear in any diagnostic', () => {
  const pasted = join('credentials:', '  - { id: app, key_sha256: "sk-proj-very-secret" }', 'providers:', '  openai: { api_key: "sk-live-very-secret" }',
    'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]');
  const { diagnostics } = loadManifest({ text: pasted, file: 'x' }, { env: {} });
  assert.deepEqual(diagnostics.map((diagnostic) => diagnostic.ruleId).sort(), ['credential/bad-key-hash', 'provider/literal-secret']);
  assert.equal(JSON.stringify(diagnostics).includes('very-secret'), false);
});

test('a secret written with the wrong type is named by its field and type only', () => {
  const text = join(
    'providers:',
    '  openai: { api_key: 987654321012345 }',
    'audit:',
    '  sinks: [{ type: elasticsearch, url: "https://es:9200", index: a, username: u, password: 31415926 }]',
    'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]',
  );
  const { diagnostics } = loadManifest({ text, file: 'x' }, { env: {} });
  assert.deepEqual(diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line]), [['schema/type', 2], ['schema/type', 4]]);
  assert.match(diagnostics[0]?.message ?? '', /api_key must be a string, not a number$/);
  const rendered = JSON.stringify(diagnostics);
  for (const secret of ['987654321012345', '31415926']) assert.equal(rendered.includes(secret), false, secret);
});

test('a secret pasted into ${…} is a malformed reference whose text is not shown', () => {
  const text = join(CREDENTIALS.trimEnd(), 'providers:', '  openai: { api_key: "${sk-proj-pasted-secret}", base_url: "https://x/v1?${bad" }',
    'ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]');
  const { diagnostics } = loadManifest({ text, file: 'x' }, { env: {} });
  const malformed = diagnostics.filter((diagnostic) => diagnostic.ruleId === 'env/malformed-reference');
  assert.deepEqual(malformed.map((diagnostic) => diagnostic.column), [23, 74]);
  assert.equal(JSON.stringify(diagnostics).includes('pasted-secret'), false);
  assert.match(malformed[1]?.message ?? '', /\$\{bad$/, 'outside secret fields the malformed text is quoted');
});

test('a non-secret value of the wrong type is quoted, so the reader sees what was written', () => {
  const { diagnostics } = loadManifest({ text: route('    timeout_ms: "soon"'), file: 'x' }, { env: {} });
  assert.match(diagnostics[0]?.message ?? '', /not the string "soon"$/);
});

test('a base_url with user-info credentials is an error that names neither user nor password', () => {
  const text = join(CREDENTIALS.trimEnd(), 'providers:', '  ollama: { base_url: "${OLLAMA_URL}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: ollama, model: a }] }');
  const { diagnostics, manifest } = loadManifest({ text, file: 'x' }, { env: { OLLAMA_URL: 'https://proxyuser:proxy-pw-1234@ollama:11434' } });
  assert.equal(manifest, undefined);
  assert.deepEqual(diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line, diagnostic.column]), [['provider/bad-base-url', 4, 23]]);
  assert.match(diagnostics[0]?.message ?? '', /user-info credentials/);
  assert.equal(/proxyuser|proxy-pw-1234/.test(JSON.stringify(diagnostics)), false);
});

test('a base_url placeholder no setting fills is reported at base_url, never as a missing setting the entry already has', () => {
  const text = join(CREDENTIALS.trimEnd(), 'providers:', '  openai: { base_url: "https://x.example/{api_key}/v1", api_key: "${OPENAI_API_KEY}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }');
  const { diagnostics } = loadManifest({ text, file: 'x' }, { env: { OPENAI_API_KEY: 'sk-test-value-123' } });
  assert.deepEqual(diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line, diagnostic.column]), [['provider/bad-base-url', 4, 23]]);
  assert.match(diagnostics[0]?.message ?? '', /base_url of provider "openai" has \{api_key\}, which no setting of openai fills/);
  // A placeholder that is a setting of the type is still a missing setting, at the entry.
  const azure = join(CREDENTIALS.trimEnd(), 'providers:', '  azure-openai: { base_url: "https://{resource}.openai.azure.com", api_key: "${AZURE_KEY}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: azure-openai, model: a }] }');
  const missing = loadManifest({ text: azure, file: 'x' }, { env: { AZURE_KEY: 'k' } }).diagnostics;
  assert.deepEqual(missing.map((diagnostic) => diagnostic.ruleId), ['provider/missing-setting']);
  assert.match(missing[0]?.message ?? '', /needs resource/);
});

test('--allow-missing-env turns env/missing-variable into a warning and keeps the manifest', () => {
  const result = loadManifest({ text: cases['env/missing-variable'].fires, file: 'x' }, { env: {}, allowMissingEnv: true });
  assert.deepEqual(result.diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.severity]), [['env/missing-variable', 'warning']]);
  assert.ok(result.manifest);
});

test('route and credential rules check the interpolated values: a ${VAR:-default} collides as served, and a key hash may come from the environment', () => {
  const ruleIds = (text: string, env: Record<string, string> = {}, allowMissingEnv = false) =>
    loadManifest({ text, file: 'env.yaml' }, { env, allowMissingEnv }).diagnostics.map((diagnostic) => diagnostic.ruleId).sort();
  const dupes = join(
    CREDENTIALS.trimEnd(),
    'ai_routes:',
    '  - { name: "${ROUTE_NAME:-chat}", match: { model: "${FIRST_MODEL:-m}" }, targets: [{ provider: openai, model: "${M1:-a}" }, { provider: openai, model: a }], fallback: "openai/${M2:-a}" }',
    '  - { name: chat, match: { model: m }, targets: [{ provider: openai, model: n }] }',
  );
  assert.deepEqual(ruleIds(dupes), ['route/duplicate-name', 'route/duplicate-target', 'route/fallback-repeats-target', 'route/unreachable']);
  const fromEnv = join('credentials:', '  - { id: app, key_sha256: "${APP_KEY_SHA256}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }');
  assert.deepEqual(ruleIds(fromEnv, { APP_KEY_SHA256: KEY }), []);
  assert.deepEqual(ruleIds(fromEnv, { APP_KEY_SHA256: 'not-a-hash' }), ['credential/bad-key-hash']);
  assert.deepEqual(ruleIds(fromEnv, {}, true), ['env/missing-variable'], 'unresolved under --allow-missing-env: only the variable is reported');
  // Two keys from two variables holding one hash: the first credential would always win.
  const twoKeys = join('credentials:', '  - { id: a, key_sha256: "${KEY_A}" }', '  - { id: b, key_sha256: "${KEY_B}" }', 'ai_routes:', '  - { name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }');
  assert.deepEqual(ruleIds(twoKeys, { KEY_A: KEY, KEY_B: KEY.toUpperCase() }), ['credential/duplicate-key']);
  assert.deepEqual(ruleIds(twoKeys, { KEY_A: KEY, KEY_B: 'b'.repeat(64) }), []);
  assert.deepEqual(ruleIds(twoKeys, {}, true), ['env/missing-variable', 'env/missing-variable'], 'two unresolved references are not a duplicate');
  // A fallback served as "ollama/" names no model.
  const fallback = route('    fallback: "ollama/${FALLBACK_MODEL:-}"');
  assert.deepEqual(ruleIds(fallback), ['route/fallback-format']);
  assert.deepEqual(ruleIds(fallback, { FALLBACK_MODEL: 'llama-3.1' }), []);
  // A route name from the environment, allowed by a credential under its served name.
  const named = join('credentials:', `  - { id: app, key_sha256: "${KEY}", routes: [chat] }`, 'ai_routes:', '  - { name: "${ROUTE:-chat}", match: { model: a }, targets: [{ provider: openai, model: a }] }');
  assert.deepEqual(ruleIds(named), []);
  assert.deepEqual(ruleIds(named, { ROUTE: 'other' }), ['credential/unknown-route']);
});

test('a weight above 1 000 000 is refused: a sum of huge weights overflowed to Infinity and each tool then picked differently', () => {
  const weighted = (weight: string) => join(CREDENTIALS.trimEnd(), 'ai_routes:', '  - name: a', '    match: { model: a }', '    targets:', `      - { provider: openai, model: a, weight: ${weight} }`, '      - { provider: groq, model: a, weight: 1 }');
  const ids = (text: string) => loadManifest({ text, file: 'w.yaml' }, { env: {} }).diagnostics.map((diagnostic) => diagnostic.ruleId);
  assert.deepEqual(ids(weighted('1e308')), ['route/weight-invalid']);
  assert.deepEqual(ids(weighted('1000001')), ['route/weight-invalid']);
  assert.deepEqual(ids(weighted('1000000')), []);
});

test('credential/quota-below-request names the first blocked route in manifest order among those a credential may use, and counts the rest', () => {
  const routes = ['small: 500', 'big-a: 4000', 'big-b: 8000', 'big-c: 6000'].map((spec) => {
    const [name, tokens] = spec.split(': ');
    return `  - { name: ${name}, match: { model: ${name} }, default_max_tokens: ${tokens}, targets: [{ provider: openai, model: a }] }`;
  });
  const text = join('credentials:',
    `  - { id: listed, key_sha256: "${KEY}", routes: [big-c, small, big-a, big-c], quota: { tokens_per_minute: 1000 } }`,
    `  - { id: open, key_sha256: "${'b'.repeat(64)}", quota: { tokens_per_minute: 7000 } }`,
    `  - { id: roomy, key_sha256: "${'c'.repeat(64)}", quota: { tokens_per_minute: 9000 } }`,
    `  - { id: small-only, key_sha256: "${'d'.repeat(64)}", routes: [small], quota: { tokens_per_minute: 1000 } }`,
    'ai_routes:', ...routes);
  const messages = loadManifest({ text, file: 'routes.yaml' }, { env: {} }).diagnostics
    .filter((diagnostic) => diagnostic.ruleId === 'credential/quota-below-request').map((diagnostic) => diagnostic.message);
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.match(messages[0] ?? '', /credential "listed" .* reserves 4000 tokens plus its prompt on route "big-a" \(and 1 more route\)/);
  assert.match(messages[1] ?? '', /credential "open" .* reserves 8000 tokens plus its prompt on route "big-b":/);
});
