/**
 * The loader reports at most 200 diagnostics, the first by position: 200 warnings can hide an error
 * further down. The commands must still fail, and say an error is among those not shown.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
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

test('validate fails (exit 1) when the only error is past the 200 diagnostics shown', async () => {
  const text = await run(['validate', FILE]);
  assert.equal(text.code, ExitCode.Findings);
  assert.doesNotMatch(text.out, / error /, 'the fixture hides its error past the cap (otherwise this test proves nothing)');
  assert.match(text.out, /more diagnostics not shown, at least one of them an error\n/);
  assert.match(text.out, /1 file checked: 0 errors, 200 warnings \(\d+ more not shown, at least one an error\)\n$/);
});

test('validate --format json marks such a file invalid; github and sarif say an error is not shown', async () => {
  const json = await run(['validate', '--format', 'json', FILE]);
  assert.equal(json.code, ExitCode.Findings);
  const document = JSON.parse(json.out) as { files: { valid: boolean; errors: number; omittedError?: boolean }[] };
  assert.deepEqual([document.files[0]?.valid, document.files[0]?.errors, document.files[0]?.omittedError], [false, 0, true]);

  const github = await run(['validate', '--format', 'github', FILE]);
  assert.equal(github.code, ExitCode.Findings);
  assert.match(github.out, /^::error file=[^,]+,title=aigw::\d+ more diagnostics not shown, at least one of them an error/m);

  const sarif = await run(['validate', '--format', 'sarif', FILE]);
  assert.equal(sarif.code, ExitCode.Findings);
  const log = JSON.parse(sarif.out) as { runs: { invocations: { toolExecutionNotifications?: { level: string }[] }[] }[] };
  assert.equal(log.runs[0]?.invocations[0]?.toolExecutionNotifications?.[0]?.level, 'error');
});

test('diff and dry-run name the hidden error instead of "no problems" or "0 errors"', async () => {
  const diff = await run(['diff', FILE, FILE]);
  assert.equal(diff.code, ExitCode.Usage);
  assert.doesNotMatch(diff.err, /no problems/);
  assert.match(diff.err, /at least one of them an error/);
  const diffJson = await run(['diff', '--format', 'json', FILE, FILE]);
  assert.equal((JSON.parse(diffJson.out) as { files: { valid: boolean }[] }).files[0]?.valid, false);

  const dryRun = await run(['dry-run', FILE, '--model', 'm', '--prompt', 'hi']);
  assert.equal(dryRun.code, ExitCode.Findings);
  assert.match(dryRun.err, /at least one an error\)\n$/);
});
