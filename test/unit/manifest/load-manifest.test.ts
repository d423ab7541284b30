import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { manifestVersion } from '../../../runtime/manifest/canonical.js';
import { ROUTE_DEFAULTS, DEFAULT_FAILOVER_ON } from '../../../runtime/manifest/types.js';

const manifestsDirectory = new URL('../../manifests/', import.meta.url);
const seed = readFileSync(new URL('good/001-seed.yaml', manifestsDirectory), 'utf8');
const fullShape = readFileSync(new URL('good/002-full-shape.yaml', manifestsDirectory), 'utf8');
const fullEnv = {
  OPENAI_API_KEY: 'sk-openai-secret', ANTHROPIC_API_KEY: 'sk-ant-secret', AWS_ACCESS_KEY_ID: 'AKIA-secret',
  AWS_SECRET_ACCESS_KEY: 'aws-secret', AZURE_OPENAI_API_KEY: 'azure-secret', GEMINI_API_KEY: 'gemini-secret',
  GOOGLE_APPLICATION_CREDENTIALS: '/var/run/sa.json', ES_URL: 'http://127.0.0.1:9200', ES_API_KEY: 'es-secret',
};

function load(text: string, env: Record<string, string> = {}, allowMissingEnv = false) {
  return loadManifest({ text, file: 'routes.yaml' }, { env, allowMissingEnv });
}

test('the design §2 seed loads with route defaults, implicit providers and only the open-gateway warning', () => {
  const result = load(seed);
  assert.deepEqual(result.diagnostics.map((diagnostic) => diagnostic.ruleId), ['credential/none']);
  const manifest = result.manifest;
  assert.ok(manifest);
  assert.deepEqual([...manifest.providers.keys()], ['anthropic', 'openai', 'ollama']);
  const anthropic = manifest.providers.get('anthropic');
  assert.equal(anthropic?.baseUrl, 'https://api.anthropic.com');
  assert.equal(anthropic?.declared, false);
  assert.equal(anthropic?.credentials['api_key']?.masked, '${ANTHROPIC_API_KEY}');
  assert.equal(anthropic?.credentials['api_key']?.present, false);
  assert.equal(manifest.providers.get('openai')?.baseUrl, 'https://api.openai.com/v1');
  assert.equal(manifest.providers.get('ollama')?.baseUrl, 'http://localhost:11434');
  const [route] = manifest.routes;
  assert.ok(route);
  assert.deepEqual(route.fallback, { provider: 'ollama', model: 'llama-3.1', weight: 0 });
  assert.deepEqual(route.targets.map((target) => [target.provider, target.model, target.weight, target.maxLatencyMs]),
    [['anthropic', 'claude-haiku-4-5', 60, 800], ['openai', 'gpt-4o-mini', 40, 800]]);
  assert.equal(route.timeoutMs, ROUTE_DEFAULTS.timeoutMs);
  assert.deepEqual(route.failoverOn, DEFAULT_FAILOVER_ON);
  assert.deepEqual(route.retry, ROUTE_DEFAULTS.retry);
  assert.equal(route.streamFailover, 'continue');
  assert.equal(route.streamIdleTimeoutMs, 15_000);
  assert.equal(route.dropParams, false);
  assert.equal(manifest.credentials, undefined);
  assert.deepEqual(manifest.audit, { sinks: [], prompt: 'hash', completion: 'none', redact: [], maxCaptureChars: 8192 });
});

test('the full shape loads: type aliases, settings, placeholders, limits, credentials and audit', () => {
  const result = load(fullShape, fullEnv);
  assert.deepEqual(result.diagnostics, []);
  const manifest = result.manifest;
  assert.ok(manifest);
  const vllm = manifest.providers.get('team-vllm');
  assert.equal(vllm?.type, 'vllm');
  assert.equal(vllm?.declared, true);
  assert.deepEqual(manifest.providers.get('openai-eu')?.limits, { requestsPerMinute: 600, tokensPerMinute: 200000 });
  assert.equal(manifest.providers.get('bedrock')?.baseUrl, 'https://bedrock-runtime.eu-central-1.amazonaws.com');
  assert.equal(manifest.providers.get('vertex-ai')?.baseUrl, 'https://europe-west4-aiplatform.googleapis.com');
  assert.equal(manifest.providers.get('bedrock')?.credentials['secret_access_key']?.reveal(), 'aws-secret');
  assert.deepEqual(manifest.providers.get('gemini')?.defaults,
    { safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_ONLY_HIGH' }] });
  assert.equal(manifest.routes[0]?.failoverOn.includes('429'), true, 'unquoted 429 becomes the string trigger');
  assert.deepEqual(manifest.routes[1]?.fallback, { provider: 'bedrock', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', weight: 0 });
  assert.deepEqual(manifest.routes[2]?.fallback, { provider: 'ollama', model: 'library/llama3.1:8b', weight: 0 }, 'split on the first "/"');
  assert.equal(manifest.routes[2]?.targets[0]?.weight, 1, 'weight defaults to 1');
  assert.deepEqual(manifest.credentials, [{
    id: 'billing-service', keySha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    quota: { requestsPerMinute: 60, tokensPerMinute: 100000 }, routes: ['chat-mid-tier'],
  }]);
  const elasticsearch = manifest.audit.sinks[1];
  assert.equal(elasticsearch?.type, 'elasticsearch');
  assert.equal(elasticsearch.type === 'elasticsearch' ? elasticsearch.url : '', 'http://127.0.0.1:9200');
  assert.deepEqual(manifest.audit.redact, [{ preset: 'email' }, { preset: 'card' }, { preset: 'api_key' }, { pattern: 'ACME-[0-9]{6}' }]);
});

test('no secret value survives JSON serialisation or inspection of the manifest', async () => {
  const { manifest } = load(fullShape, fullEnv);
  const { inspect } = await import('node:util');
  const printed = JSON.stringify({ providers: [...(manifest?.providers.values() ?? [])], audit: manifest?.audit }) + inspect(manifest, { depth: 10 });
  for (const value of ['sk-openai-secret', 'sk-ant-secret', 'aws-secret', 'azure-secret', 'gemini-secret', 'es-secret']) {
    assert.equal(printed.includes(value), false, value);
  }
  assert.match(printed, /\$\{OPENAI_API_KEY\}/);
});

test('a missing variable is an error naming it, at the reference; the manifest is withheld', () => {
  const text = 'providers:\n  openai: { api_key: "${OPENAI_API_KEY}" }\nai_routes:\n  - { name: a, match: { model: m }, targets: [{ provider: openai, model: m }] }\ncredentials: []\n';
  const result = load(text);
  assert.equal(result.manifest, undefined);
  assert.deepEqual(result.diagnostics.map(({ ruleId, severity, line, column, message }) => ({ ruleId, severity, line, column, message })),
    [{ ruleId: 'env/missing-variable', severity: 'error', line: 2, column: 23, message: 'environment variable OPENAI_API_KEY is not set' }]);
  const allowed = load(text, {}, true);
  assert.equal(allowed.diagnostics[0]?.severity, 'warning');
  assert.ok(allowed.manifest);
  assert.equal(allowed.manifest.providers.get('openai')?.credentials['api_key']?.present, false);
});

test('${VAR:-default}, $${ escapes and text around references interpolate in any string', () => {
  const text = [
    'providers:',
    '  ollama: { base_url: "http://${OLLAMA_HOST:-localhost}:${OLLAMA_PORT}/" }',
    '  openai: { api_key: "${OPENAI_API_KEY:-sk-dev}" }',
    'credentials: []',
    'ai_routes:',
    '  - { name: "r-$${literal}", match: { model: m }, targets: [{ provider: ollama, model: x }, { provider: openai, model: y }] }',
  ].join('\n');
  const result = load(text, { OLLAMA_PORT: '11434' });
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.manifest?.providers.get('ollama')?.baseUrl, 'http://localhost:11434', 'default used, trailing slash removed');
  assert.equal(result.manifest?.providers.get('openai')?.credentials['api_key']?.reveal(), 'sk-dev');
  assert.equal(result.manifest?.routes[0]?.name, 'r-${literal}');
});

test('an empty variable counts as missing: never a silent empty string', () => {
  const result = load('credentials: []\nproviders: { openai: { api_key: "${KEY}" } }\nai_routes: [{ name: a, match: { model: m }, targets: [{ provider: openai, model: m }] }]\n', { KEY: '' });
  assert.equal(result.diagnostics[0]?.ruleId, 'env/missing-variable');
});

test('document is the parsed, un-interpolated value and manifestVersion ignores formatting, not content', () => {
  const compact = 'ai_routes: [{name: chat-mid-tier, match: {model: gpt-4o-mini}, targets: [{provider: anthropic, model: claude-haiku-4-5, weight: 60, max_latency_ms: 800}, {provider: openai, model: gpt-4o-mini, weight: 40, max_latency_ms: 800}], fallback: ollama/llama-3.1}]';
  const a = load(seed);
  const b = load(`# a comment\n${compact}\n`);
  assert.equal(manifestVersion(a.document), manifestVersion(b.document));
  assert.match(manifestVersion(a.document), /^[0-9a-f]{64}$/);
  const changed = load(compact.replace('weight: 60', 'weight: 50'));
  assert.notEqual(manifestVersion(a.document), manifestVersion(changed.document));
  const withReference = load('providers: { openai: { api_key: "${K}" } }\nai_routes: []\n', { K: 'secret-value' });
  assert.equal(JSON.stringify(withReference.document).includes('secret-value'), false);
  assert.equal(JSON.stringify(withReference.document).includes('${K}'), true);
});

test('bytes and strings load the same; a UTF-8 BOM and CRLF line ends are accepted', () => {
  const crlf = `\uFEFF${seed.replace(/\n/g, '\r\n')}`;
  const fromBytes = loadManifest({ text: new TextEncoder().encode(crlf), file: 'x' }, { env: {} });
  const fromString = loadManifest({ text: crlf, file: 'x' }, { env: {} });
  assert.deepEqual(fromBytes.diagnostics, fromString.diagnostics);
  assert.equal(fromBytes.diagnostics[0]?.ruleId, 'credential/none');
  assert.ok(fromBytes.manifest);
});

test('schema errors stop the pipeline: no lint findings and no manifest', () => {
  const result = load('ai_routes:\n  - name: a\n    match: { model: m }\n    targets: [{ provider: nope, model: m, wieght: 1 }]\n');
  assert.equal(result.manifest, undefined);
  assert.deepEqual(result.diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line, diagnostic.column]), [['schema/unknown-key', 4, 43]]);
  assert.match(result.diagnostics[0]?.hint ?? '', /did you mean "weight"\?/);
});

test('a diagnostic on an interpolated value shows the ${VAR} as written, never the environment\'s value', () => {
  const secret = 'sk-live-SECRET-123';
  const text = `ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: "gpt-4o-mini" } ]
    fallback: "\${NEEDED_VAR}"
`;
  const result = loadManifest({ text, file: 'routes.yaml' }, { env: { NEEDED_VAR: secret } });
  const finding = result.diagnostics.find((diagnostic) => diagnostic.ruleId === 'route/fallback-format');
  assert.ok(finding, JSON.stringify(result.diagnostics));
  assert.match(finding.message, /\$\{NEEDED_VAR\}/);
  assert.equal(JSON.stringify(result.diagnostics).includes(secret), false);
});

test('past the 200-diagnostic cap, errors are kept before warnings: 250 warnings do not hide the one error', () => {
  const providers = Array.from({ length: 250 }, (_, index) => `  spare-${index}: { type: openai, base_url: "https://example.com/v1" }`).join('\n');
  const text = `providers:\n${providers}\nai_routes:\n  - name: chat\n    match: { model: "m" }\n    targets: [ { provider: openai, model: gpt-4o-mini } ]\n    fallback: "not-a-provider-model"\n`;
  const result = loadManifest({ text, file: 'routes.yaml' }, { env: {} });
  assert.equal(result.diagnostics.length, 200);
  assert.ok(result.diagnostics.some((diagnostic) => diagnostic.severity === 'error'), 'the error is among those shown');
  assert.ok((result.omitted ?? 0) > 0);
  assert.equal(result.manifest, undefined);
});

test('a file that is one scalar (an .env given by mistake) is named by its type, never quoted', () => {
  const result = loadManifest({ text: 'OPENAI_API_KEY=sk-proj-abcdefSECRET12345\n', file: '.env' }, { env: {} });
  const [finding] = result.diagnostics;
  assert.equal(finding?.ruleId, 'schema/type');
  assert.match(finding?.message ?? '', /the manifest must be an object, not a string$/);
  assert.equal(JSON.stringify(result.diagnostics).includes('SECRET'), false);
});
