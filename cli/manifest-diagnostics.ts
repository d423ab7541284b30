/**
 * A manifest that does not load, reported by a command other than validate: with --format json the
 * diagnostics are the stdout document (validate's JSON shape), so a pipeline that parses stdout gets
 * JSON on every exit (design §7); in text they go to stderr, as before.
 */
import type { Diagnostic } from '../runtime/lint/diagnostic.js';
import type { LoadManifestResult } from '../runtime/manifest/load-manifest.js';
import { renderDiagnosticsJson } from './format/diagnostics-json.js';
import { manifestReport } from './format/diagnostics-report.js';
import { renderDiagnosticsText } from './format/diagnostics-text.js';
import type { Io } from './io.js';

export function reportManifestDiagnostics(io: Io, format: unknown, file: string, result: Pick<LoadManifestResult, 'diagnostics' | 'omitted' | 'manifest'>): void {
  const report = manifestReport(file, result);
  if (format === 'json') io.stdout.write(renderDiagnosticsJson([report]));
  else io.stderr.write(renderDiagnosticsText([report], { color: io.stderrColor }));
}

/**
 * The unresolved `${VAR}`s of a manifest that loaded under --allow-missing-env: dry-run and simulate
 * then plan with the references as written, so they say so — on stderr in text (stdout stays the
 * report), in the document's `warnings` with --format json. Other lint warnings are validate's to show.
 */
export function unresolvedReferences(result: Pick<LoadManifestResult, 'diagnostics'>): readonly Diagnostic[] {
  return result.diagnostics.filter((diagnostic) => diagnostic.severity === 'warning' && diagnostic.ruleId.startsWith('env/'));
}

export function printUnresolvedReferences(io: Io, format: unknown, file: string, warnings: readonly Diagnostic[]): void {
  if (format === 'json' || warnings.length === 0) return;
  io.stderr.write(renderDiagnosticsText([manifestReport(file, { diagnostics: warnings })], { color: io.stderrColor }));
}
