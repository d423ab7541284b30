/**
 * The hostile and malformed manifest corpus (test/manifests/bad, expected.json) and the good one:
 * every bad file yields its exact rule id at line:col, none throws, hangs or leaks a stack trace;
 * every good file loads without an error.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { ruleInfo, type RuleId } from '../../../runtime/lint/registry.js';

const badDirectory = new URL('../../manifests/bad/', import.meta.url);
const goodDirectory = new URL('../../manifests/good/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', badDirectory), 'utf8')) as Record<string, { ruleId: RuleId; line: number; column: number }>;
const badFiles = readdirSync(badDirectory).filter((name) => name.endsWith('.yaml')).sort();
/** Guards against a hang (not a performance assertion: bench/ measures speed). */
const HANG_GUARD = { timeout: 20_000 };

test('the bad corpus has at least 40 numbered files, each listed in expected.json', () => {
  assert.ok(badFiles.length >= 40, `${badFiles.length} files`);
  for (const name of badFiles) assert.match(name, /^\d{3}-[a-z0-9-]+\.yaml$/);
  assert.deepEqual(Object.keys(expected).sort(), badFiles);
});

for (const name of badFiles) {
  const want = expected[name];
  test(`bad/${name}: ${want?.ruleId} at ${want?.line}:${want?.column}`, HANG_GUARD, () => {
    assert.ok(want);
    const result = loadManifest({ text: readFileSync(new URL(name, badDirectory)), file: name }, { env: {} });
    const found = result.diagnostics.find((diagnostic) => diagnostic.ruleId === want.ruleId);
    assert.ok(found, `no ${want.ruleId} among ${JSON.stringify(result.diagnostics.map((diagnostic) => diagnostic.ruleId))}`);
    assert.deepEqual({ ruleId: found.ruleId, line: found.line, column: found.column }, want);
    assert.equal(found.file, name);
    assert.equal(found.severity, ruleInfo(want.ruleId).severity);
    if (found.severity === 'error') assert.equal(result.manifest, undefined, 'an error withholds the manifest');
    else assert.ok(result.manifest, 'warnings alone keep the manifest');
    for (const diagnostic of result.diagnostics) {
      assert.doesNotMatch(`${diagnostic.message}\n${diagnostic.hint}`, /\n\s+at /, 'no stack trace');
      assert.ok(diagnostic.hint.length > 0);
    }
  });
}

test('a 5 MB file is refused as yaml/too-large without being parsed', HANG_GUARD, () => {
  const line = '# padding padding padding padding padding padding padding padding padding\n';
  const text = `ai_routes: []\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`;
  const result = loadManifest({ text, file: 'huge.yaml' }, { env: {} });
  assert.deepEqual(result.diagnostics.map(({ ruleId, line: at, column }) => ({ ruleId, line: at, column })),
    [{ ruleId: 'yaml/too-large', line: 1, column: 1 }]);
  const bytes = loadManifest({ text: new TextEncoder().encode(text), file: 'huge.yaml' }, { env: {} });
  assert.equal(bytes.diagnostics[0]?.ruleId, 'yaml/too-large');
});

test('100,000 nested flow brackets are refused before the parser can exhaust memory', HANG_GUARD, () => {
  const text = `ai_routes: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
  const result = loadManifest({ text, file: 'deep.yaml' }, { env: {} });
  assert.equal(result.diagnostics[0]?.ruleId, 'yaml/too-deep');
  assert.equal(result.diagnostics[0]?.line, 1);
});

test('deep block nesting beyond the parser stack is a diagnostic too', HANG_GUARD, () => {
  const text = `${'- '.repeat(200_000)}x\n`;
  const result = loadManifest({ text, file: 'deep.yaml' }, { env: {} });
  assert.equal(result.diagnostics[0]?.ruleId, 'yaml/too-deep');
});

test('a file with 50,000 unknown keys finishes and caps its diagnostics', HANG_GUARD, () => {
  const text = `ai_routes: []\n${Array.from({ length: 50_000 }, (_, index) => `k${index}: ${index}`).join('\n')}\n`;
  const result = loadManifest({ text, file: 'wide.yaml' }, { env: {} });
  assert.equal(result.diagnostics.length, 200);
  assert.ok((result.omitted ?? 0) > 49_000);
  assert.equal(result.diagnostics[0]?.ruleId, 'schema/range');
});

for (const name of readdirSync(goodDirectory).filter((file) => file.endsWith('.yaml')).sort()) {
  test(`good/${name} loads without errors`, HANG_GUARD, () => {
    const result = loadManifest({ text: readFileSync(new URL(name, goodDirectory)), file: name }, { env: {}, allowMissingEnv: true });
    assert.deepEqual(result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
    assert.ok(result.manifest);
  });
}

test('the JSON spelling of the seed normalizes exactly like the YAML seed', () => {
  // Serialised (secrets print masked), since SecretRefs hold per-load closures.
  const load = (name: string): string => {
    const { manifest } = loadManifest({ text: readFileSync(new URL(name, goodDirectory)), file: name }, { env: {} });
    assert.ok(manifest);
    return JSON.stringify({ ...manifest, providers: [...manifest.providers] });
  };
  assert.equal(load('003-json.yaml'), load('001-seed.yaml'));
  assert.equal(load('004-bom-crlf.yaml'), load('001-seed.yaml'));
});

test('merge keys copy route settings, and explicit keys override them', () => {
  const { manifest } = loadManifest({ text: readFileSync(new URL('005-anchors-merge.yaml', goodDirectory)), file: 'x' }, { env: {} });
  const large = manifest?.routes[1];
  assert.equal(large?.timeoutMs, 20_000);
  assert.deepEqual(large?.failoverOn, ['5xx', '429', 'latency']);
  assert.deepEqual(large?.targets.map((target) => target.model), ['gpt-4o']);
  assert.equal(large?.match.model, 'gpt-4o');
});

test('thousands of bad references in a large manifest finish (suggestions are bounded)', HANG_GUARD, () => {
  const count = 3500;
  const routes = Array.from({ length: count }, (_, index) => `  - { name: route-${index}, match: { model: m${index % 50} }, targets: [{ provider: prov${index}, model: x, weight: -1 }], fallback: bad }`);
  const credentials = Array.from({ length: count }, (_, index) => `  - { id: c${index % 10}, key_sha256: k, routes: [rote-${index}] }`);
  const text = `credentials:\n${credentials.join('\n')}\nai_routes:\n${routes.join('\n')}\n`;
  const result = loadManifest({ text, file: 'hostile.yaml' }, { env: {} });
  assert.equal(result.diagnostics.length, 200);
  assert.ok((result.omitted ?? 0) > 20_000);
});

test('100,000 environment references in one string finish; the count of unlisted findings is kept', HANG_GUARD, () => {
  const references = Array.from({ length: 100_000 }, (_, index) => `\${V${index}}`).join('');
  const text = `providers:\n  openai: { base_url: "${references}" }\nai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]\n`;
  const strict = loadManifest({ text, file: 'refs.yaml' }, { env: {} });
  assert.equal(strict.manifest, undefined);
  assert.equal(strict.diagnostics.length, 200);
  assert.equal((strict.omitted ?? 0) + 200, 100_001, 'every missing variable plus the open-gateway warning is counted');
  const lenient = loadManifest({ text, file: 'refs.yaml' }, { env: {}, allowMissingEnv: true });
  assert.ok(lenient.manifest, 'under --allow-missing-env the counted findings are warnings');
});

test('several YAML documents are named as such, in our words (not the YAML library\'s API)', () => {
  const result = loadManifest({ text: 'ai_routes: []\n---\nai_routes: []\n', file: 'x.yaml' }, { env: {} });
  assert.equal(result.diagnostics[0]?.ruleId, 'yaml/syntax');
  assert.equal(result.diagnostics[0]?.message, 'the file holds more than one YAML document (a --- separator starts a second one)');
});
