/**
 * Colour follows the stream written to: diagnostics on stderr carry no escape codes when stderr is
 * redirected (`aigw dry-run bad.yaml 2>errors.log` on a terminal), and the live view honours NO_COLOR.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createNodeIo, type OutputStream } from '../../cli/node-io.js';
import { createTestIo } from '../helpers/io.js';

const root = new URL('../../', import.meta.url).pathname;
const BAD = 'test/manifests/bad/056-negative-weight.yaml';
const ESCAPE = /\u001b\[/;

function stream(isTTY: boolean): OutputStream {
  return Object.assign(new PassThrough(), { isTTY });
}

test('the real Io decides stderr colour from stderr: a terminal on stdout does not colour a redirected stderr', () => {
  const io = createNodeIo({ stdin: new PassThrough(), stdout: stream(true), stderr: stream(false), env: {}, cwd: root }, new AbortController().signal);
  assert.deepEqual([io.color, io.stderrColor], [true, false]);
  const both = createNodeIo({ stdin: new PassThrough(), stdout: stream(false), stderr: stream(true), env: {}, cwd: root }, new AbortController().signal);
  assert.deepEqual([both.color, both.stderrColor], [false, true]);
  const noColor = createNodeIo({ stdin: new PassThrough(), stdout: stream(true), stderr: stream(true), env: { NO_COLOR: '1' }, cwd: root }, new AbortController().signal);
  assert.deepEqual([noColor.color, noColor.stderrColor], [false, false]);
});

test('manifest diagnostics on stderr (dry-run, simulate, diff) are plain when stderr is not a terminal, coloured when it is', async () => {
  const commands = [
    ['dry-run', BAD, '--model', 'm', '--prompt', 'hi'],
    ['simulate', BAD, '--requests', '1'],
    ['diff', BAD, BAD],
    ['simulate', 'examples/routes.yaml', '--scenario', BAD],
  ];
  for (const argv of commands) {
    const redirected = createTestIo({ cwd: root, isTTY: true, color: true, stderrColor: false });
    assert.notEqual(await main(argv, redirected), ExitCode.Ok, argv.join(' '));
    assert.match(redirected.err(), /error/);
    assert.doesNotMatch(redirected.err(), ESCAPE, `${argv.join(' ')}: no escape codes in a redirected stderr`);
    const terminal = createTestIo({ cwd: root, isTTY: false, color: false, stderrColor: true });
    await main(argv, terminal);
    assert.match(terminal.err(), ESCAPE, `${argv.join(' ')}: coloured on a terminal stderr`);
  }
});

test('the live view of simulate is drawn without colour when io.color is off (NO_COLOR), with it otherwise', async (t) => {
  const { default: chalk } = await import('chalk');
  const level = chalk.level;
  // As on a colour terminal: chalk (ink's colours) would paint whatever aigw decided.
  chalk.level = 3;
  t.after(() => { chalk.level = level; });
  const argv = ['simulate', 'examples/routes.yaml', '--requests', '200'];
  const plain = createTestIo({ cwd: root, isTTY: true, color: false });
  assert.equal(await main(argv, plain), ExitCode.Ok, plain.err());
  assert.match(plain.out(), /simulated .*█+/, 'the live view was drawn');
  assert.doesNotMatch(plain.out(), /\u001b\[[0-9;]*m/);
  const coloured = createTestIo({ cwd: root, isTTY: true, color: true });
  await main(argv, coloured);
  assert.match(coloured.out(), /\u001b\[[0-9;]*m/);
});
