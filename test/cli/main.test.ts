import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../cli/main.js';
import { ExitCode } from '../../cli/io.js';
import { createTestIo } from '../helpers/io.js';

test('aigw --help lists every command and exits 0', async () => {
  const io = createTestIo();
  const code = await main(['--help'], io);
  assert.equal(code, ExitCode.Ok);
  for (const command of ['validate', 'diff', 'dry-run', 'simulate', 'serve', 'mock', 'apply', 'rollback', 'status', 'audit', 'keys']) {
    assert.match(io.out(), new RegExp(`\\b${command}\\b`), command);
  }
});

test('an unknown flag is a usage error (exit 2) without a stack trace', async () => {
  const io = createTestIo();
  const code = await main(['validate', '--no-such-flag', 'x.yaml'], io);
  assert.equal(code, ExitCode.Usage);
  assert.match(io.err(), /unknown option/);
  assert.doesNotMatch(io.err(), /\n\s+at /);
});
