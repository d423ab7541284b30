/** Builds a Diagnostic from a rule id: severity and hint default to the registry's. */
import type { Diagnostic, Severity } from './diagnostic.js';
import type { SourcePosition } from '../manifest/positions.js';
import { ruleInfo, type RuleId } from './registry.js';

export interface DiagnosticOverrides {
  /** A more specific hint than the registry's (e.g. "did you mean …"). */
  readonly hint?: string | undefined;
  /** E.g. env/missing-variable is a warning under --allow-missing-env. */
  readonly severity?: Severity | undefined;
}

export function makeDiagnostic(ruleId: RuleId, file: string, position: SourcePosition, message: string,
                               overrides: DiagnosticOverrides = {}): Diagnostic {
  const rule = ruleInfo(ruleId);
  return {
    ruleId,
    severity: overrides.severity ?? rule.severity,
    message,
    file,
    line: position.line,
    column: position.column,
    hint: overrides.hint ?? rule.hint,
  };
}
