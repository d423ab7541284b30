/** `aigw simulate` in-process through main(argv, io): report, determinism, --expect gate, scenario errors, live view. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ExitCode } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { createTestIo } from '../helpers/io.js';
import { SEED_MANIFEST as SEED } from '../unit/routing/seed.js';

const SCENARIO = `seed: 9
requests: 400
arrival: { rate_per_second: 20 }
stream_fraction: 0.3
prompts: { chat: 3, tool-call: 1 }
faults:
  - provider: anthropic
    errors: [ { status: 529, rate: 0.05 } ]
  - provider: openai
    stream_cut: { rate: 0.05, after_chunks: 2 }
`;

function workspace(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-simulate-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

async function simulate(cwd: string, argv: readonly string[], io = createTestIo({ cwd })) {
  const code = await main(['simulate', 'routes.yaml', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

test('simulate prints per-route targets with weight vs share, failovers and latency, and exits 0', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED, 'scenario.yaml': SCENARIO });
  const { code, out, err } = await simulate(cwd, ['--scenario', 'scenario.yaml']);
  assert.equal(code, ExitCode.Ok, err);
  assert.match(out, /^Simulated 400 requests over .* \(seed 9\)/);
  assert.match(out, /Route chat-mid-tier: 400 requests/);
  assert.match(out, /anthropic\/claude-haiku-4-5\s+60\.0%/);
  assert.match(out, /ollama\/llama-3\.1 \(fallback\)/);
  assert.match(out, /retryable_5xx \d+/);
  assert.doesNotMatch(out + err, /█/, 'not a TTY: the plain report, no live bars');
});

test('the same manifest, scenario and seed give byte-identical json; another seed does not', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED, 'scenario.yaml': SCENARIO });
  const first = await simulate(cwd, ['--scenario', 'scenario.yaml', '--format', 'json']);
  const second = await simulate(cwd, ['--scenario', 'scenario.yaml', '--format', 'json']);
  const reseeded = await simulate(cwd, ['--scenario', 'scenario.yaml', '--format', 'json', '--seed', '10']);
  assert.equal(first.code, ExitCode.Ok, first.err);
  assert.equal(first.out, second.out);
  assert.notEqual(first.out, reseeded.out);
  const summary = JSON.parse(first.out) as { version: number; seed: number; requests: number; routes: unknown[] };
  assert.equal(summary.version, 1);
  assert.equal(summary.seed, 9);
  assert.equal(summary.requests, 400);
  assert.equal((JSON.parse(reseeded.out) as { seed: number }).seed, 10);
});

test('--expect is a CI gate: a failing expectation exits 1 and names the figure it saw', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const passing = await simulate(cwd, ['--requests', '200', '--expect', 'success_rate>=0.99', '--expect', 'share(anthropic)~0.6±0.15']);
  assert.equal(passing.code, ExitCode.Ok, passing.err);
  assert.match(passing.out, /✔ success_rate>=0\.99/);
  const failing = await simulate(cwd, ['--requests', '200', '--expect', 'p95_ms<10', '--format', 'json']);
  assert.equal(failing.code, ExitCode.Findings);
  assert.match(failing.err, /expectation failed: p95_ms<10 \(p95_ms was \d+/);
  const document = JSON.parse(failing.out) as { expectations: { expression: string; passed: boolean; actual: number }[] };
  assert.equal(document.expectations[0]?.passed, false);
});

test('an invalid scenario file is a usage error with file:line:col diagnostics', async (t) => {
  const cwd = workspace(t, {
    'routes.yaml': SEED,
    'typo.yaml': 'requests: 10\nfaults:\n  - provider: anthropic\n    eror_rate: 0.5\n',
    'unknown.yaml': 'faults:\n  - provider: antropic\n    resets: 0.1\n',
    'window.yaml': 'faults:\n  - provider: openai\n    outages: [ { from: 60, to: 10 } ]\n',
  });
  const typo = await simulate(cwd, ['--scenario', 'typo.yaml']);
  assert.equal(typo.code, ExitCode.Usage);
  assert.match(typo.err, /typo\.yaml:4:5 error schema\/unknown-key unknown key "eror_rate"/);
  const unknown = await simulate(cwd, ['--scenario', 'unknown.yaml']);
  assert.equal(unknown.code, ExitCode.Usage);
  assert.match(unknown.err, /unknown\.yaml:2:15 error scenario\/unknown-provider/);
  assert.match(unknown.err, /anthropic/);
  const window = await simulate(cwd, ['--scenario', 'window.yaml']);
  assert.equal(window.code, ExitCode.Usage);
  assert.match(window.err, /scenario\/bad-window/);
});

test('bad flags are usage errors', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  for (const argv of [['--requests', '0'], ['--requests', 'ten'], ['--seed', '-1'], ['--expect', 'nonsense'], ['--scenario', 'missing.yaml']]) {
    const { code, err } = await simulate(cwd, argv);
    assert.equal(code, ExitCode.Usage, argv.join(' '));
    assert.doesNotMatch(err, /\n\s+at /);
  }
});

test('the live view is drawn on a TTY, and not in CI, with --no-live or with --format json', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const tty = await simulate(cwd, ['--requests', '300'], createTestIo({ cwd, isTTY: true, env: {} }));
  assert.equal(tty.code, ExitCode.Ok, tty.err);
  assert.match(tty.out, /simulated .*█+/);
  assert.match(tty.out, /provider\/model\s+share\s+answered/);
  for (const [argv, env] of [[[], { CI: 'true' }], [['--no-live'], {}]] as const) {
    const plain = await simulate(cwd, ['--requests', '300', ...argv], createTestIo({ cwd, isTTY: true, env }));
    assert.doesNotMatch(plain.out, /█/);
  }
  const json = await simulate(cwd, ['--requests', '300', '--format', 'json'], createTestIo({ cwd, isTTY: true, env: {} }));
  const piped = await simulate(cwd, ['--requests', '300', '--format', 'json']);
  assert.equal(json.out, piped.out, 'json is the same bytes on a TTY and on a pipe');
});

test("the README's example runs as written: examples/routes.yaml with examples/scenario.yaml passes its expectations", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const command = /aigw simulate routes\.yaml --scenario examples\/scenario\.yaml \\\n\s+(.*)\n/.exec(readme);
  assert.ok(command?.[1], 'the README shows the command');
  const expectations = [...command[1].matchAll(/--expect '([^']+)'/g)].map((match) => match[1] as string);
  assert.equal(expectations.length, 3);
  const io = createTestIo({ cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  const code = await main(['simulate', 'examples/routes.yaml', '--scenario', 'examples/scenario.yaml', ...expectations.flatMap((expression) => ['--expect', expression])], io);
  assert.equal(code, ExitCode.Ok, io.out() + io.err());
  // 3 interrupted streams of 20 000: the success rate is rounded down, never shown as 100.0%.
  assert.match(io.out(), /Simulated 20000 requests.*success 99\.9%/);
});

test('the manifest and the scenario cannot both come from stdin (usage error, not a silently empty scenario)', async () => {
  const io = createTestIo({ stdin: SEED });
  assert.equal(await main(['simulate', '-', '--scenario', '-'], io), ExitCode.Usage);
  assert.match(io.err(), /stdin \(-\) can be read only once/);
  const dryRun = createTestIo({ stdin: SEED });
  assert.equal(await main(['dry-run', '-', '--request', '-'], dryRun), ExitCode.Usage);
  assert.match(dryRun.err(), /stdin \(-\) can be read only once/);
});

test('stream stalls finish: an idle timer re-armed for a rounding-sized remainder no longer fires at one instant for ever', async (t) => {
  // The design's seed manifest and the scenario that hung (seed 1): 100 % CPU, no output, no Ctrl-C.
  const seed = readFileSync(new URL('../manifests/good/001-seed.yaml', import.meta.url), 'utf8');
  const cwd = workspace(t, {
    'routes.yaml': seed,
    'stall.yaml': 'requests: 2000\nstream_fraction: 0.3\nfaults:\n  - provider: openai\n    stall: { rate: 0.02, after_chunks: 3 }\n',
  });
  const { code, out, err } = await simulate(cwd, ['--scenario', 'stall.yaml', '--format', 'json']);
  assert.equal(code, ExitCode.Ok, err);
  const report = JSON.parse(out) as { routes: { requests: number }[] };
  assert.equal(report.routes[0]?.requests, 2000);
});

test('a target listed twice has the sum of its first-pick shares as its configured share, as dry-run and diff count it', async (t) => {
  const cwd = workspace(t, {
    'routes.yaml': 'ai_routes:\n  - name: r\n    match: { model: m }\n    targets:\n      - { provider: openai, model: a, weight: 1 }\n      - { provider: anthropic, model: b, weight: 1 }\n      - { provider: openai, model: a, weight: 2 }\n',
  });
  const { code, out, err } = await simulate(cwd, ['--requests', '100', '--format', 'json']);
  assert.equal(code, ExitCode.Ok, err);
  const report = JSON.parse(out) as { routes: { targets: { provider: string; model: string; configuredShare: number }[] }[] };
  assert.deepEqual(report.routes[0]?.targets.map((target) => [`${target.provider}/${target.model}`, target.configuredShare]), [['openai/a', 0.75], ['anthropic/b', 0.25]]);
});

test('a provider key unset in the environment is named on stderr (serve would skip its targets); set, nothing is said', async (t) => {
  const cwd = workspace(t, { 'routes.yaml': SEED });
  const unset = await simulate(cwd, ['--requests', '50'], createTestIo({ cwd, env: { ANTHROPIC_API_KEY: 'sk-ant-SECRET' } }));
  assert.equal(unset.code, ExitCode.Ok, unset.err);
  assert.match(unset.err, /warning: provider openai: credential \$\{OPENAI_API_KEY\} is not set here\. simulate routes as if it were; serve with this environment would skip its targets \(auth_error\)\./);
  assert.doesNotMatch(unset.err, /provider anthropic/);
  assert.doesNotMatch(unset.err + unset.out, /SECRET/);
  const set = await simulate(cwd, ['--requests', '50'], createTestIo({ cwd, env: { ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'b' } }));
  assert.doesNotMatch(set.err, /warning: provider (openai|anthropic)/);
});

test('an unset ${VAR} is a warning by default (simulate needs no secret); --no-allow-missing-env makes it the error serve would give', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-sim-env-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'routes.yaml');
  writeFileSync(file, 'ai_routes:\n  - { name: chat, match: { model: "m" }, targets: [ { provider: openai, model: "${AIGW_TEST_UNSET_MODEL}" } ] }\n');
  const run = async (extra: string[]) => {
    const io = createTestIo({ cwd: directory, env: {} });
    const code = await main(['simulate', file, '--requests', '5', '--no-live', ...extra], io);
    return { code, text: io.out() + io.err() };
  };
  const byDefault = await run([]);
  assert.equal(byDefault.code, ExitCode.Ok);
  assert.match(byDefault.text, /Simulated 5 requests/);
  assert.equal((await run(['--allow-missing-env'])).code, ExitCode.Ok);
  const strict = await run(['--no-allow-missing-env']);
  assert.equal(strict.code, ExitCode.Findings);
  assert.match(strict.text, /error env\/missing-variable/);
});

test('an unset ${VAR} (missing variables are warnings in simulate) is shown: on stderr in text, in the JSON document\'s warnings', async (t) => {
  const manifest = SEED.replace('model: gpt-4o-mini', 'model: "${TARGET_MODEL_UNSET}"');
  assert.notEqual(manifest, SEED);
  const cwd = workspace(t, { 'routes.yaml': manifest });
  const text = await simulate(cwd, ['--requests', '20']);
  assert.equal(text.code, ExitCode.Ok, text.err);
  assert.match(text.err, /env\/missing-variable/);
  assert.match(text.err, /TARGET_MODEL_UNSET/);
  const json = await simulate(cwd, ['--requests', '20', '--format', 'json']);
  assert.equal(json.code, ExitCode.Ok, json.err);
  const document = JSON.parse(json.out) as { warnings?: { ruleId: string }[] };
  assert.deepEqual(document.warnings?.map((warning) => warning.ruleId), ['env/missing-variable']);
});
