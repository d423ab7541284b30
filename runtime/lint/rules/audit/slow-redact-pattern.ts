/**
 * audit/slow-redact-pattern: a redaction pattern with a repetition inside a repetition (`(\w+\s?)+`,
 * `(a+)+`). A custom pattern runs over every prompt and completion on the request path, and
 * JavaScript's backtracking engine takes exponential time on such a pattern when the text almost
 * matches: a 34-character prompt held the event loop, every request of the gateway with it, for 8 s.
 * Checked on the pattern as served (interpolated). A pattern the checker cannot parse (lookbehind) is
 * left to the compile check; quadratic ones (`\w+@corp` on a long word) are
 * audit/quadratic-redact-pattern's.
 * @see https://www.regular-expressions.info/catastrophic.html
 */
import isSafeRegex from 'safe-regex2';
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';
import { regexTokens } from './regex-tokens.js';

/** Star height above 1, for a pattern the checker can parse (undefined: it cannot say). */
export function nestedRepetition(pattern: string): boolean | undefined {
  if (regexTokens(pattern) === undefined) return undefined;
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
