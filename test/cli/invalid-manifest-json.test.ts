/**
 * Every command that loads a manifest prints `validate --format json`'s document when it does not
 * load: the same diagnostics (warnings included) and the same `manifestVersion` of what parsed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { SEED_MANIFEST as SEED } from '../unit/routing/seed.js';

interface Document { files: { file: string; manifestVersion?: string }[]; diagnostics: { ruleId: string; severity: string }[] }

test('dry-run, simulate, apply and diff print validate\'s JSON document for an invalid manifest (its version and its warnings too)', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'aigw-invalid-json-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  // An error (a provider nobody defines) and a warning (no credentials: an open gateway).
  writeFileSync(join(cwd, 'bad.yaml'), SEED.replace('provider: anthropic', 'provider: antropic'));
  writeFileSync(join(cwd, 'good.yaml'), SEED);
  const run = async (argv: string[]): Promise<Document> => {
    const io = createTestIo({ cwd, env: {} });
    await main(argv, io);
    return JSON.parse(io.out()) as Document;
  };
  await main(['keys', 'generate', '--out', join(cwd, 'ops'), '--key-id', 'ops'], createTestIo({ cwd, env: {} }));
  const expected = await run(['validate', 'bad.yaml', '--format', 'json']);
  assert.ok(expected.files[0]?.manifestVersion !== undefined);
  assert.deepEqual(expected.diagnostics.map((diagnostic) => diagnostic.ruleId), ['credential/none', 'provider/unknown-id']);
  for (const argv of [
    ['dry-run', 'bad.yaml', '--model', 'gpt-4o-mini', '--prompt', 'Hi', '--format', 'json'],
    ['simulate', 'bad.yaml', '--requests', '10', '--format', 'json'],
    ['apply', 'bad.yaml', '--gateway', 'http://127.0.0.1:9', '--key-id', 'ops', '--key-file', join(cwd, 'ops.key'), '--format', 'json', '--yes'],
    ['diff', 'good.yaml', 'bad.yaml', '--format', 'json'],
  ]) {
    const document = await run(argv);
    assert.deepEqual(document, expected, argv[0]);
  }
});
