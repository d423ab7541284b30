/**
 * Every input the CLI reads is bounded (review finding 3): stdin (`-`) for validate, dry-run
 * --request and simulate --scenario, and --request/--scenario files such as /dev/zero. The real
 * Io (cli/node-io.ts, what bin.ts runs) stops reading at the limit plus one byte; an endless input
 * is refused at once — a yaml/too-large diagnostic for a manifest (exit 1, like a file), a one-line
 * usage/I-O error for a request or scenario (exit 2) — instead of filling memory.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createNodeIo } from '../../cli/node-io.js';
import { MAX_REQUEST_BYTES } from '../../cli/commands/dry-run.js';
import { MAX_SCENARIO_BYTES } from '../../cli/commands/simulate.js';
import { MAX_MANIFEST_BYTES } from '../../runtime/manifest/read-source.js';
import { createTestIo } from '../helpers/io.js';

const SEED = 'test/manifests/good/001-seed.yaml';
/** Far above every limit: reading this much means the read is not bounded. */
const UNBOUNDED = 64 * 1024 * 1024;

/** `yes 'a: b'` as a stream: endless, and it counts what was taken from it. */
function endlessStdin(): { stream: Readable; consumed: () => number } {
  let consumed = 0;
  const line = Buffer.from('a: b\n'.repeat(16 * 1024));
  const stream = Readable.from((function* lines() {
    while (true) {
      if (consumed > UNBOUNDED) throw new Error(`read ${consumed} bytes of an endless stdin: the read is unbounded`);
      consumed += line.length;
      yield line;
    }
  })());
  return { stream, consumed: () => consumed };
}

function nodeIo(stdin: Readable) {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const io = createNodeIo({ stdin, stdout, stderr, env: { NO_COLOR: '1' }, cwd: process.cwd() }, new AbortController().signal);
  return { io, out: () => out, err: () => err };
}

test('validate - on an endless stdin stops after 1 MiB: yaml/too-large, exit 1', async () => {
  const stdin = endlessStdin();
  const { io, out } = nodeIo(stdin.stream);
  assert.equal(await main(['validate', '--format', 'json', '-'], io), ExitCode.Findings);
  await new Promise((resolve) => setImmediate(resolve));
  const document = JSON.parse(out()) as { diagnostics: { ruleId: string }[] };
  assert.equal(document.diagnostics[0]?.ruleId, 'yaml/too-large');
  assert.ok(stdin.consumed() <= MAX_MANIFEST_BYTES + 2 * 80 * 1024, `read ${stdin.consumed()} bytes of stdin`);
});

test('dry-run --request - on an endless stdin is refused past 4 MiB: exit 2, one line', async () => {
  const stdin = endlessStdin();
  const { io, err } = nodeIo(stdin.stream);
  assert.equal(await main(['dry-run', SEED, '--request', '-'], io), ExitCode.Usage);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(err(), `aigw: standard input is larger than 4 MiB (${MAX_REQUEST_BYTES} bytes), the limit for this input\n`);
  assert.ok(stdin.consumed() <= MAX_REQUEST_BYTES + 2 * 80 * 1024, `read ${stdin.consumed()} bytes of stdin`);
});

test('simulate --scenario - on an endless stdin is refused past 1 MiB: exit 2, one line', async () => {
  const stdin = endlessStdin();
  const { io, err } = nodeIo(stdin.stream);
  assert.equal(await main(['simulate', SEED, '--scenario', '-'], io), ExitCode.Usage);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(err(), `aigw: standard input is larger than 1 MiB (${MAX_SCENARIO_BYTES} bytes), the limit for this input\n`);
});

// /dev/zero never ends: read whole, it would take gigabytes (the review saw 3.4 GB in 4 s).
const devZero = existsSync('/dev/zero') ? false : 'this system has no /dev/zero';

test('dry-run --request /dev/zero is refused at once: exit 2, "larger than 4 MiB"', { skip: devZero, timeout: 20_000 }, async () => {
  const io = createTestIo();
  assert.equal(await main(['dry-run', SEED, '--request', '/dev/zero'], io), ExitCode.Usage);
  assert.equal(io.err(), `aigw: /dev/zero is larger than 4 MiB (${MAX_REQUEST_BYTES} bytes), the limit for this input\n`);
});

test('simulate --scenario /dev/zero is refused at once: exit 2, "larger than 1 MiB"', { skip: devZero, timeout: 20_000 }, async () => {
  const io = createTestIo();
  assert.equal(await main(['simulate', SEED, '--scenario', '/dev/zero'], io), ExitCode.Usage);
  assert.equal(io.err(), `aigw: /dev/zero is larger than 1 MiB (${MAX_SCENARIO_BYTES} bytes), the limit for this input\n`);
});

test('a --request or --scenario that is a directory or missing says so in words (exit 2)', async () => {
  const directory = createTestIo();
  assert.equal(await main(['dry-run', SEED, '--request', 'test'], directory), ExitCode.Usage);
  assert.equal(directory.err(), 'aigw: cannot read test: is a directory\n');
  const missing = createTestIo();
  assert.equal(await main(['simulate', SEED, '--scenario', 'no/such/scenario.yaml'], missing), ExitCode.Usage);
  assert.equal(missing.err(), 'aigw: cannot read no/such/scenario.yaml: no such file\n');
});
