/** Runs every semantic rule over a schema-valid manifest and places each finding at its line:col. */
import type { Diagnostic } from './diagnostic.js';
import { makeDiagnostic } from './make-diagnostic.js';
import { LINT_RULES } from './all-rules.js';
import type { LintContext } from './rule.js';

export function lintManifest(context: LintContext, file: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const rule of LINT_RULES) {
    for (const finding of rule.check(context)) {
      diagnostics.push(makeDiagnostic(rule.id, file, context.positions.locate(finding.pointer, finding.part), finding.message,
        { hint: finding.hint }));
    }
  }
  return diagnostics;
}
