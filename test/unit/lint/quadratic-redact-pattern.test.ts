/** Which redaction patterns begin with an unbounded run that something follows (audit/quadratic-redact-pattern). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leadingUnboundedRun } from '../../../runtime/lint/rules/audit/quadratic-redact-pattern.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';

test('a leading unbounded run followed by more is found, in alternatives and plain groups too; its lookbehind fix is linear', () => {
  const cases: readonly (readonly [string, string | undefined])[] = [
    ['\\w+@corp', '\\w'],
    ['[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}', '[a-z0-9._%+\\-]'],
    ['\\d*-x', '\\d'],
    ['(?:\\w+)@corp', '\\w'],
    ['ACME-\\d+|\\w+@corp', '\\w'],
    ['(\\w+@corp|x)', '\\w'],
    ['\\w+', undefined], // nothing follows: the first try matches the whole run
    ['ACME-[0-9]+', undefined], // a literal first: a match can start only at it
    ['^\\w+@corp', undefined],
    ['\\b\\w+@corp', undefined],
    ['\\w{1,64}@corp', undefined], // bounded
    ['(?=a)\\w+@corp', undefined], // a lookahead first: left alone
    ['(?<!\\w)\\w+@corp', undefined], // the fix
  ];
  for (const [pattern, run] of cases) assert.equal(leadingUnboundedRun(pattern), run, pattern);
  const text = 'a'.repeat(100_000);
  const started = performance.now();
  text.replace(new RegExp(`(?<!${leadingUnboundedRun('\\w+@corp')})\\w+@corp`, 'gu'), '[REDACTED]');
  assert.ok(performance.now() - started < 1_000, 'the suggested form does not retry the run from every position');
});

test('the rewritten pattern is printed only when the run starts the whole pattern: with alternatives the lookbehind would guard the wrong branch', () => {
  const messageFor = (pattern: string): string => {
    const text = `ai_routes: [{ name: a, match: { model: a }, targets: [{ provider: openai, model: a }] }]\naudit:\n  redact: [ { pattern: ${JSON.stringify(pattern)} } ]\n`;
    return loadManifest({ text, file: 'routes.yaml' }, { env: {} }).diagnostics.find((diagnostic) => diagnostic.ruleId === 'audit/quadratic-redact-pattern')?.message ?? '';
  };
  assert.match(messageFor('\\w+@corp'), /"\(\?<!\\\\w\)\\\\w\+@corp"/);
  for (const pattern of ['AKIA[0-9A-Z]{16}|[a-z0-9._%+-]+@corp\\.com', 'secret|\\w+@corp', '(?:\\w+)@corp']) {
    const message = messageFor(pattern);
    assert.match(message, /put \(\?<!.+\) right before that run/, pattern);
    assert.ok(!message.includes(`"(?<!`), `${pattern}: no whole-pattern rewrite`);
  }
});
