/**
 * The scenario/* rule ids are contracts like the manifest's (style §I.3): each fires at its exact
 * line:col on a scenario that breaks it and not on the corrected one, and the README lists each.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkScenario, loadScenario, SCENARIO_RULES, type ScenarioRuleId } from '../../../cli/simulate/scenario.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { loadFixtureIndex } from '../../../runtime/mock/fixture-index.js';
import { packagePath } from '../../../runtime/package-root.js';

const MANIFEST = `ai_routes:
  - name: chat
    match: { model: gpt-4o-mini }
    targets:
      - { provider: anthropic, model: claude-haiku-4-5, weight: 60 }
      - { provider: openai, model: gpt-4o-mini, weight: 40 }
`;

interface Case { readonly bad: string; readonly good: string; readonly line: number; readonly column: number }

const CASES: Record<ScenarioRuleId, Case> = {
  'scenario/unknown-provider': {
    bad: 'faults:\n  - provider: anthropc\n    resets: 0.1\n',
    good: 'faults:\n  - provider: anthropic\n    resets: 0.1\n',
    line: 2, column: 15,
  },
  'scenario/unknown-model': {
    bad: 'faults:\n  - provider: anthropic\n    model: claude-haiku-4.5\n    resets: 0.1\n',
    good: 'faults:\n  - provider: anthropic\n    model: claude-haiku-4-5\n    resets: 0.1\n',
    line: 3, column: 12,
  },
  'scenario/unknown-request': {
    bad: 'prompts:\n  chat: 1\n  no-such-request: 1\n',
    good: 'prompts:\n  chat: 1\n  tool-call: 1\n',
    line: 3, column: 3,
  },
  'scenario/bad-window': {
    bad: 'faults:\n  - provider: openai\n    outages:\n      - { from: 60, to: 30 }\n',
    good: 'faults:\n  - provider: openai\n    outages:\n      - { from: 30, to: 60 }\n',
    line: 4, column: 9,
  },
  'scenario/missing-status': {
    bad: 'faults:\n  - provider: openai\n    errors:\n      - { rate: 0.1 }\n',
    good: 'faults:\n  - provider: openai\n    errors:\n      - { status: 503, rate: 0.1 }\n',
    line: 4, column: 9,
  },
  'scenario/no-fixture': {
    bad: 'faults:\n  - provider: openai\n    errors:\n      - { case: error-999, rate: 0.1 }\n',
    good: 'faults:\n  - provider: openai\n    errors:\n      - { case: error-503, rate: 0.1 }\n',
    line: 4, column: 17,
  },
};

const manifest = loadManifest({ text: MANIFEST, file: 'routes.yaml' }, { env: {} }).manifest;
const fixtures = loadFixtureIndex();

function findings(text: string) {
  const loaded = loadScenario({ text, file: 'scenario.yaml' });
  assert.ok(manifest !== undefined);
  return [...loaded.diagnostics, ...checkScenario(loaded, manifest, fixtures)];
}

for (const [ruleId, example] of Object.entries(CASES) as [ScenarioRuleId, Case][]) {
  test(`${ruleId} fires at its line:col, and not on the corrected scenario`, () => {
    const fired = findings(example.bad).filter((diagnostic) => diagnostic.ruleId === ruleId);
    assert.equal(fired.length, 1, `${ruleId}: ${JSON.stringify(findings(example.bad))}`);
    assert.deepEqual([fired[0]?.line, fired[0]?.column], [example.line, example.column]);
    assert.deepEqual(findings(example.good), []);
  });
}

test('every scenario rule has a case here and a row in the README', () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(SCENARIO_RULES).sort());
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  for (const [ruleId, rule] of Object.entries(SCENARIO_RULES)) {
    assert.ok(readme.includes(`| \`${ruleId}\` | error | ${rule.summary} |`), `README lacks the row for ${ruleId}`);
  }
});

test('a scenario file is checked like a manifest file: invalid UTF-8 is yaml/not-utf8 at its line, never silently replaced', () => {
  const bytes = Buffer.concat([Buffer.from('requests: 10\nmodels: { "gpt-4o-mini'), Buffer.from([0xe9]), Buffer.from('": 1 }\n')]);
  const loaded = loadScenario({ text: bytes, file: 'scenario.yaml' });
  assert.equal(loaded.scenario, undefined);
  assert.deepEqual(loaded.diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.line]), [['yaml/not-utf8', 2]]);
});

test('a scenario that is not a mapping is named as the scenario, not the manifest', () => {
  const loaded = loadScenario({ text: '[1, 2]\n', file: 'scenario.yaml' });
  assert.match(loaded.diagnostics[0]?.message ?? '', /^the scenario must be object/);
});

test("the README's scenario example loads and checks clean against examples/routes.yaml (it is copied by users)", () => {
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  const block = /```yaml\n(seed: 42[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block !== undefined, 'the scenario example is in the README');
  const example = loadManifest({ text: readFileSync(packagePath('examples/routes.yaml'), 'utf8'), file: 'examples/routes.yaml' }, { env: {}, allowMissingEnv: true }).manifest;
  assert.ok(example !== undefined);
  const loaded = loadScenario({ text: block, file: 'README scenario' });
  assert.deepEqual([...loaded.diagnostics, ...checkScenario(loaded, example, fixtures)], []);
});
