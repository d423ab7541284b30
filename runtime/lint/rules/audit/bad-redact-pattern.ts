/**
 * audit/bad-redact-pattern: a redaction pattern that is not a regular expression once interpolated.
 * The schema checks the pattern as written; one read from the environment (`pattern: "${PAT}"`) is
 * only known here, and an invalid one would fail every audit record at serve time (records lost).
 */
import { pointerOf } from '../../../manifest/positions.js';
import { compileRedactPattern } from '../../../audit/redact.js';
import type { Finding, LintRule } from '../../rule.js';
import { isUnresolvedReference } from '../../walk.js';

export const auditBadRedactPatternRule: LintRule = {
  id: 'audit/bad-redact-pattern',
  check({ document, resolved }) {
    const findings: Finding[] = [];
    for (const [index, rule] of (resolved.audit?.redact ?? []).entries()) {
      if (typeof rule === 'string' || isUnresolvedReference(rule.pattern)) continue;
      const written = document.audit?.redact?.[index];
      // As written, the schema's format check already reported it.
      if (typeof written === 'object' && written.pattern === rule.pattern) continue;
      try {
        compileRedactPattern(rule.pattern);
      } catch (error) {
        findings.push({ pointer: pointerOf('audit', 'redact', index, 'pattern'), message: error instanceof Error ? error.message : String(error) });
      }
    }
    return findings;
  },
};
