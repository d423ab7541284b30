/**
 * The loader reports at most 200 diagnostics, errors kept before warnings: 420 warnings do not hide
 * the one error further down. Should an error still be among those cut (the loader withholds the
 * manifest then), the reports say so and fail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { manifestReport } from '../../cli/format/diagnostics-report.js';
import { renderDiagnosticsGithub } from '../../cli/format/diagnostics-github.js';
import { renderDiagnosticsJson } from '../../cli/format/diagnostics-json.js';
import { renderDiagnosticsSarif } from '../../cli/format/diagnostics-sarif.js';
import { renderDiagnosticsText } from '../../cli/format/diagnostics-text.js';
import { main } from '../../cli/main.js';
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import { createTestIo } from '../helpers/io.js';

const directory = mkdtempSync(join(tmpdir(), 'aigw-cap-'));
after(() => rmSync(directory, { recursive: true, force: true }));

/** 210 unused providers with literal keys (420 warnings), then one error on the last lines. */
function warningsThenError(): string {
  const providers = Array.from({ length: 210 }, (_, index) => `  p${index}:\n    type: openai\n    api_key: sk-literal-${String(index).padStart(4, '0')}abcdefghijklmnop\n`);
  return [
    'version: 1', 'providers:', ...providers, 'credentials: []', 'ai_routes:',
    '  - name: r', '    match: { model: m }', '    targets:',
    '      - { provider: p0, model: gpt-4o-mini, weight: 1, max_latency_ms: 90000 }',
    '    timeout_ms: 1000', '',
  ].join('\n');
}

const FILE = join(directory, 'warnings-then-error.yaml');
writeFileSync(FILE, warningsThenError());

async function run(argv: string[]) {
  const io = createTestIo({ cwd: directory });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test('validate shows the one error behind 420 warnings and fails (exit 1)', async () => {
  const text = await run(['validate', FILE]);
  assert.equal(text.code, ExitCode.Findings);
  assert.match(text.out, / error route\/latency-exceeds-timeout /);
  assert.match(text.out, /1 file checked: 1 error, 199 warnings \(\d+ more not shown\)\n$/);
  const json = await run(['validate', '--format', 'json', FILE]);
  const document = JSON.parse(json.out) as { files: { valid: boolean; errors: number }[] };
  assert.deepEqual([document.files[0]?.valid, document.files[0]?.errors], [false, 1]);
});

test('diff and dry-run name the error instead of "no problems" or "0 errors"', async () => {
  const diff = await run(['diff', FILE, FILE]);
  assert.equal(diff.code, ExitCode.Usage);
  assert.doesNotMatch(diff.err, /no problems/);
  assert.match(diff.err, /route\/latency-exceeds-timeout/);
  const dryRun = await run(['dry-run', FILE, '--model', 'm', '--prompt', 'hi']);
  assert.equal(dryRun.code, ExitCode.Findings);
  assert.match(dryRun.err, /1 error/);
});

test('an error among the diagnostics cut (the manifest withheld, none shown): every format says so and fails', () => {
  const warning: Diagnostic = { file: 'm.yaml', line: 1, column: 1, ruleId: 'provider/unused', severity: 'warning', message: 'unused', hint: 'remove it' };
  const report = manifestReport('m.yaml', { diagnostics: Array.from({ length: 200 }, () => warning), omitted: 12 });
  assert.equal(report.omittedError, true);
  assert.match(renderDiagnosticsText([report], { color: false }), /\(12 more not shown, at least one an error\)\n$/);
  assert.equal((JSON.parse(renderDiagnosticsJson([report])) as { files: { valid: boolean }[] }).files[0]?.valid, false);
  assert.match(renderDiagnosticsGithub([report]), /^::error file=m\.yaml,title=aigw::12 more diagnostics not shown, at least one of them an error/m);
  const log = JSON.parse(renderDiagnosticsSarif([report], { version: '0.0.0-test' })) as { runs: { invocations: { toolExecutionNotifications?: { level: string }[] }[] }[] };
  assert.equal(log.runs[0]?.invocations[0]?.toolExecutionNotifications?.[0]?.level, 'error');
  // With the manifest loaded, what was cut holds no error.
  assert.equal(manifestReport('m.yaml', { diagnostics: [warning], omitted: 3, manifest: {} as never }).omittedError, undefined);
});
