/** Each command's --help says which inputs may be stdin and what its exit codes mean (design §7). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';

async function help(command: readonly string[]): Promise<string> {
  const io = createTestIo();
  assert.equal(await main([...command, '--help'], io), ExitCode.Ok);
  return io.out();
}

test('the manifest commands that read "-" say so in --help', async () => {
  for (const command of ['validate', 'diff', 'dry-run', 'simulate']) {
    assert.match(await help([command]), /"-" for stdin/, command);
  }
  // commander wraps long descriptions: compare with the whitespace folded.
  assert.match((await help(['dry-run'])).replace(/\s+/g, ' '), /--request <file> an OpenAI chat-completions request body \(JSON; "-" for stdin\)/);
  assert.match((await help(['simulate'])).replace(/\s+/g, ' '), /--scenario <file> scenario file \(YAML; "-" for stdin\)/);
});

test('validate, diff, dry-run, simulate and audit list their exit codes in --help', async () => {
  for (const command of [['validate'], ['diff'], ['dry-run'], ['simulate'], ['audit', 'tail'], ['audit', 'search']]) {
    assert.match(await help(command), /Exit codes: 0 .*2 /, command.join(' '));
  }
});
