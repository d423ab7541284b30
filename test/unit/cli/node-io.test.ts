/**
 * The real Io (cli/node-io.ts): which commands take over SIGINT/SIGTERM (review finding 8) and the
 * apply confirmation prompt, where Ctrl-D or Ctrl-C is declining, not an internal error (finding 14).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { decideColor, ExitCode } from '../../../cli/io.js';
import { main } from '../../../cli/main.js';
import { createConfirm, installShutdownHandlers, type InputStream, type OutputStream } from '../../../cli/node-io.js';
import { createTestIo } from '../../helpers/io.js';
import { hmacKey, listenGateway, MANIFEST_B, writeKeyFile } from '../admin/admin-harness.js';

function install(argv: readonly string[]) {
  const target = new EventEmitter();
  const exits: number[] = [];
  const clock = { ms: 0 };
  const signal = installShutdownHandlers(argv, target, (code) => exits.push(code), () => clock.ms);
  return { target, exits, signal, clock };
}

test('validate, diff, dry-run, simulate, apply, rollback, status, audit and keys leave SIGINT/SIGTERM to Node: one Ctrl-C ends them', () => {
  for (const argv of [['validate', '-'], ['diff', 'a', 'b'], ['dry-run', 'r.yaml'], ['simulate', 'r.yaml'], ['apply', 'r.yaml'],
    ['rollback'], ['status'], ['audit', 'tail'], ['keys', 'generate'], ['--help'], []]) {
    const { target, signal } = install(argv);
    assert.equal(target.listenerCount('SIGINT'), 0, argv.join(' '));
    assert.equal(target.listenerCount('SIGTERM'), 0, argv.join(' '));
    assert.equal(signal.aborted, false);
  }
});

test('serve and mock drain on the first signal and exit 130 on the second', () => {
  for (const argv of [['serve', 'routes.yaml', '--port', '0'], ['mock', '--port', '0']]) {
    for (const name of ['SIGTERM', 'SIGINT'] as const) {
      const { target, exits, signal, clock } = install(argv);
      target.emit(name);
      assert.equal(signal.aborted, true, `${argv[0]} ${name}`);
      assert.equal(signal.reason, name);
      assert.deepEqual(exits, []);
      clock.ms += 1_000;
      target.emit(name === 'SIGTERM' ? 'SIGINT' : 'SIGTERM');
      assert.deepEqual(exits, [130]);
    }
  }
});

test('Ctrl-C under npm start (the same SIGINT twice within a millisecond) drains; only a later one exits at once', () => {
  const { target, exits, signal, clock } = install(['serve', 'routes.yaml']);
  target.emit('SIGINT');
  clock.ms += 0.5;
  target.emit('SIGINT');
  assert.equal(signal.aborted, true);
  assert.deepEqual(exits, [], 'the duplicate is not a second request');
  clock.ms += 600;
  target.emit('SIGINT');
  assert.deepEqual(exits, [130]);
});

/** A pair of streams that readline takes for a terminal (raw keys: \x04 is Ctrl-D, \x03 Ctrl-C). */
function terminal(): { input: PassThrough & InputStream; output: PassThrough & OutputStream; shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  let shown = '';
  output.on('data', (chunk: Buffer) => { shown += chunk.toString(); });
  return { input, output, shown: () => shown };
}

for (const [key, name] of [['\x04', 'Ctrl-D'], ['\x03', 'Ctrl-C']] as const) {
  test(`${name} at the prompt declines (false), ends the line, and throws nothing`, { timeout: 5_000 }, async () => {
    const { input, output, shown } = terminal();
    const answer = createConfirm(input, output)('Apply abc to 1 gateway?');
    input.write(key);
    assert.equal(await answer, false);
    assert.match(shown(), /Apply abc to 1 gateway\? \[y\/N\] /);
    assert.match(shown(), /\n$/);
  });
}

test('y or yes (any case) is a yes; n, an empty line or anything else is a no', { timeout: 5_000 }, async () => {
  for (const [typed, expected] of [['y\r', true], ['YES\r', true], ['n\r', false], ['\r', false], ['sure\r', false]] as const) {
    const { input, output } = terminal();
    const answer = createConfirm(input, output)('Apply?');
    input.write(typed);
    assert.equal(await answer, expected, JSON.stringify(typed));
  }
});

test('a stdin that ends without an answer declines instead of leaving the question pending', { timeout: 5_000 }, async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const answer = createConfirm(input, output)('Apply?');
  input.end();
  assert.equal(await answer, false);
});

test('apply: Ctrl-D at the confirmation is "not applied", exit 1 (declined), and nothing changes', { timeout: 20_000 }, async (t) => {
  const key = hmacKey();
  const gateway = await listenGateway(t, { keys: [key] });
  const { flags, directory } = writeKeyFile(t, key);
  const file = join(directory, 'routes.yaml');
  writeFileSync(file, MANIFEST_B);
  const before = gateway.plane.holder.current().version;
  const { input, output } = terminal();
  const prompt = createConfirm(input, output);
  const io = createTestIo({
    isTTY: true,
    confirm: async (question) => {
      const answer = prompt(question);
      input.write('\x04');
      return answer;
    },
  });
  assert.equal(await main(['apply', file, '--gateway', gateway.url, ...flags], io), ExitCode.Findings);
  assert.match(io.err(), /\naigw: not applied\n$/);
  assert.doesNotMatch(io.err(), /unexpected error|Aborted/);
  assert.equal(gateway.plane.holder.current().version, before);
});

test('decideColor: NO_COLOR wins, FORCE_COLOR forces (0 and false do not), otherwise a TTY decides', () => {
  const table: [Record<string, string>, boolean, boolean][] = [
    [{}, true, true], [{}, false, false],
    [{ NO_COLOR: '1' }, true, false], [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true], [{ FORCE_COLOR: '0' }, true, false], [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, false],
  ];
  for (const [env, isTTY, expected] of table) assert.equal(decideColor(env, isTTY), expected, `${JSON.stringify(env)} tty=${String(isTTY)}`);
});
