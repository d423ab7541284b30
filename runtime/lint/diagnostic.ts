/**
 * One finding about a manifest: the shape every step (YAML, schema, interpolation, lint) reports in,
 * and what `aigw validate`, `POST /admin/reload` (422) and `aigw dry-run` print.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable `family/kebab-name` id from runtime/lint/registry.ts (also the SARIF ruleId). */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  /** As given to the loader: a path, or `<stdin>`. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** How to fix it. */
  readonly hint: string;
}

/** Sorted by file, line, column, rule id (style §A.7: deterministic output). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) =>
    compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message));
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const diagnostic of diagnostics) if (diagnostic.severity === 'error') errors += 1;
  return { errors, warnings: diagnostics.length - errors };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file:line:col severity rule-id message`, for log lines. */
export function describeDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column} ${diagnostic.severity} ${diagnostic.ruleId} ${diagnostic.message}`;
}
