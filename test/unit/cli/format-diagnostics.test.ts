/** Golden renderings of the four validate formats; the SARIF log is checked against the official schema. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv from 'ajv';
import formatsModule from 'ajv-formats';
import { renderDiagnosticsGithub } from '../../../cli/format/diagnostics-github.js';
import { renderDiagnosticsJson } from '../../../cli/format/diagnostics-json.js';
import type { FileReport } from '../../../cli/format/diagnostics-report.js';
import { renderDiagnosticsSarif } from '../../../cli/format/diagnostics-sarif.js';
import { renderDiagnosticsText } from '../../../cli/format/diagnostics-text.js';
import { RULES } from '../../../runtime/lint/registry.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { assertGolden } from '../../helpers/golden.js';

function report(name: string, directory: 'bad' | 'good'): FileReport {
  const file = `test/manifests/${directory}/${name}`;
  const result = loadManifest({ text: readFileSync(new URL(`../../manifests/${directory}/${name}`, import.meta.url)), file }, { env: {} });
  return { file, diagnostics: result.diagnostics };
}

const reports: FileReport[] = [
  report('001-seed.yaml', 'good'),
  report('056-negative-weight.yaml', 'bad'),
  report('047-literal-secret.yaml', 'bad'),
  { file: 'missing, file.yaml', diagnostics: [], readError: 'cannot read missing, file.yaml: no such file' },
];

test('text: "file:line:col severity rule-id message", a hint line, and a summary', () => {
  const text = renderDiagnosticsText(reports, { color: false });
  assertGolden(import.meta.url, 'diagnostics.txt', text);
  assert.match(text, /^test\/manifests\/bad\/056-negative-weight\.yaml:9:65 error route\/weight-invalid weight -30 .*\n  hint: Use a whole number/m);
  assert.doesNotMatch(text, /\u001b\[/, 'no colour without io.color');
});

test('text is coloured only when asked', () => {
  assert.match(renderDiagnosticsText(reports, { color: true }), /\u001b\[31merror\u001b\[39m/);
});

test('json: versioned document with per-file counts and every diagnostic field', () => {
  const json = renderDiagnosticsJson(reports);
  assertGolden(import.meta.url, 'diagnostics.json', json);
  const document = JSON.parse(json) as { version: number; files: { file: string; valid: boolean; readError?: string }[]; diagnostics: unknown[] };
  assert.equal(document.version, 1);
  assert.deepEqual(document.files.map((file) => [file.file, file.valid]),
    [['test/manifests/good/001-seed.yaml', true], ['test/manifests/bad/056-negative-weight.yaml', false], ['test/manifests/bad/047-literal-secret.yaml', true], ['missing, file.yaml', false]]);
  assert.equal(document.diagnostics.length, 3);
});

test('github: one workflow command per diagnostic, with escaped properties and data', () => {
  const github = renderDiagnosticsGithub(reports);
  assertGolden(import.meta.url, 'diagnostics.github.txt', github);
  assert.match(github, /^::error file=test\/manifests\/bad\/056-negative-weight\.yaml,line=9,col=65,title=route\/weight-invalid::weight -30 .*%0Ahint: /m);
  assert.match(github, /^::warning file=test\/manifests\/good\/001-seed\.yaml,line=1,col=1,title=credential\/none::/m);
  assert.match(github, /^::error file=missing%2C file\.yaml,title=aigw::cannot read missing, file\.yaml: no such file$/m);
});

test('sarif: valid against the vendored SARIF 2.1.0 schema, rules from the registry', () => {
  const sarif = renderDiagnosticsSarif(reports, { version: '0.0.0-test' });
  assertGolden(import.meta.url, 'diagnostics.sarif.json', sarif);
  const log = JSON.parse(sarif) as {
    runs: { tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[] }[] }[];
  };
  // The official schema is draft-04: its `$schema` and `id` are dropped for ajv's draft-07 validator.
  const schema = JSON.parse(readFileSync(new URL('../../../schemas/vendor/sarif-2.1.0.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  delete schema['$schema'];
  delete schema['id'];
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  formatsModule.default(ajv);
  const validate = ajv.compile(schema);
  assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
  const [run] = log.runs;
  assert.deepEqual(run?.tool.driver.rules.map((rule) => rule.id), RULES.map((rule) => rule.id));
  const weight = run?.results.find((result) => result.ruleId === 'route/weight-invalid');
  assert.equal(weight?.level, 'error');
  assert.deepEqual(weight?.locations[0]?.physicalLocation.region, { startLine: 9, startColumn: 65 });
  assert.equal(run?.tool.driver.rules[weight?.ruleIndex ?? -1]?.id, 'route/weight-invalid');
  assert.equal(run?.results.find((result) => result.ruleId === 'credential/none')?.level, 'warning');
  // A corrupted log must fail the same validator (the check is not vacuous).
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
});
