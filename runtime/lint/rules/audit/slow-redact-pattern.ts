/**
 * audit/slow-redact-pattern: a redaction pattern with a repetition inside a repetition (`(\w+\s?)+`,
 * `(a+)+`). A custom pattern runs over every prompt and completion on the request path, and
 * JavaScript's backtracking engine takes exponential time on such a pattern when the text almost
 * matches: a 34-character prompt held the event loop, every request of the gateway with it, for 8 s.
 * Checked on the pattern as served (interpolated). A pattern the checker cannot parse (lookbehind) is
 * left to the compile check; quadratic patterns (`\w+@corp` on a long word) are not caught here
 * (docs/audit-fields.md says how to write patterns that stay fast).
 * @see https://www.regular-expressions.info/catastrophic.html
 */
import { createRequire } from 'node:module';
import isSafeRegex from 'safe-regex2';
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';

/**
 * The checker's own parser (`ret`): its CommonJS module is the tokenizer itself, which its type
 * declarations call a default export; loaded through require so that what runs is what is typed here.
 */
const tokenize = createRequire(import.meta.url)('ret') as (pattern: string) => unknown;

/** Star height above 1, for a pattern the checker can parse (undefined: it cannot say). */
export function nestedRepetition(pattern: string): boolean | undefined {
  try {
    tokenize(pattern);
  } catch {
    return undefined;
  }
  // No limit on the number of repetitions: a long pattern is not a slow one.
  return !isSafeRegex(pattern, { limit: Number.POSITIVE_INFINITY });
}

export const auditSlowRedactPatternRule: LintRule = {
  id: 'audit/slow-redact-pattern',
  check({ resolved }) {
    const findings: Finding[] = [];
    for (const [index, rule] of (resolved.audit?.redact ?? []).entries()) {
      if (typeof rule === 'string' || isUnresolvedReference(rule.pattern)) continue;
      if (nestedRepetition(rule.pattern) === true) {
        findings.push({ pointer: pointerOf('audit', 'redact', index, 'pattern'), message: `audit.redact pattern ${JSON.stringify(rule.pattern)} repeats a group that itself repeats: on a prompt that almost matches it takes exponential time, and it runs on every request.` });
      }
    }
    return findings;
  },
};
