/**
 * audit/quadratic-redact-pattern: a redaction pattern that begins with an unbounded run and goes on
 * after it (`\w+@corp`, the usual email regex `[a-z0-9._%+-]+@…`). On a long stretch of the run's
 * characters (a hex dump, a long identifier, a pasted log line) JavaScript retries the pattern from
 * every position of the stretch and each try reads to its end: time quadratic in its length — 100 000
 * characters held the event loop 5 s, and custom patterns run over every prompt on the request path.
 * A lookbehind that lets a match start only where the run starts (`(?<!\w)\w+@corp`) finds the same
 * matches (all but one glued to the end of the previous match) in linear time; the built-in presets
 * work that way.
 */
import { pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';
import { nestedRepetition } from './slow-redact-pattern.js';
import { alternativesOf, regexSource, regexTokens, TOKEN_TYPES, type RegexToken } from './regex-tokens.js';

/**
 * The repeated part (as source: `\w`, `[a-z0-9._%+\-]`) of an unbounded run a match can begin with
 * when something follows it; undefined when there is none or the pattern cannot be read here (a
 * lookbehind — the fix — among others).
 */
export function leadingUnboundedRun(pattern: string): string | undefined {
  const root = regexTokens(pattern);
  return root === undefined ? undefined : leadingRunIn(root, false);
}

/** True when the pattern is one sequence (no top-level `|`) whose first token is the unbounded run itself. */
function startsWholePattern(pattern: string): boolean {
  const root = regexTokens(pattern);
  const first = root?.stack?.[0];
  return root?.options === undefined && first?.type === TOKEN_TYPES.REPETITION && first.max === Number.POSITIVE_INFINITY;
}

/** `followed`: tokens come after this group in its enclosing sequence. */
function leadingRunIn(group: RegexToken, followed: boolean): string | undefined {
  for (const sequence of alternativesOf(group)) {
    const [first] = sequence;
    if (first === undefined) continue;
    const more = followed || sequence.length > 1;
    if (first.type === TOKEN_TYPES.REPETITION && first.max === Number.POSITIVE_INFINITY && more && typeof first.value === 'object') return regexSource(first.value);
    const isPlainGroup = first.type === TOKEN_TYPES.GROUP && first.followedBy !== true && first.notFollowedBy !== true;
    const inner = isPlainGroup ? leadingRunIn(first, more) : undefined;
    if (inner !== undefined) return inner;
  }
  return undefined;
}

export const auditQuadraticRedactPatternRule: LintRule = {
  id: 'audit/quadratic-redact-pattern',
  check({ resolved }) {
    const findings: Finding[] = [];
    for (const [index, rule] of (resolved.audit?.redact ?? []).entries()) {
      if (typeof rule === 'string' || isUnresolvedReference(rule.pattern)) continue;
      // Nested repetition is the worse problem, and audit/slow-redact-pattern's to report.
      if (nestedRepetition(rule.pattern) !== false) continue;
      const run = leadingUnboundedRun(rule.pattern);
      if (run === undefined) continue;
      // The rewritten pattern is printed only when the run starts the whole pattern: with alternatives
      // or a leading group, a lookbehind in front would guard the wrong branch (and redact less).
      const fix = startsWholePattern(rule.pattern)
        ? `Start matches where the run starts: ${JSON.stringify(`(?<!${run})${rule.pattern}`)}`
        : `Start matches where the run starts: put (?<!${run}) right before that run`;
      findings.push({
        pointer: pointerOf('audit', 'redact', index, 'pattern'),
        message: `audit.redact pattern ${JSON.stringify(rule.pattern)} begins with an unbounded run of ${run}: on a long stretch of such characters it is retried from every position, time quadratic in the stretch's length, on every request. ${fix}.`,
      });
    }
    return findings;
  },
};
