/**
 * A manifest that does not load, reported by a command other than validate: with --format json the
 * diagnostics are the stdout document (validate's JSON shape), so a pipeline that parses stdout gets
 * JSON on every exit (design §7); in text they go to stderr, as before.
 */
import type { Diagnostic } from '../runtime/lint/diagnostic.js';
import { renderDiagnosticsJson } from './format/diagnostics-json.js';
import { renderDiagnosticsText } from './format/diagnostics-text.js';
import type { Io } from './io.js';

export function reportManifestDiagnostics(io: Io, format: unknown, file: string, diagnostics: readonly Diagnostic[]): void {
  if (format === 'json') io.stdout.write(renderDiagnosticsJson([{ file, diagnostics }]));
  else io.stderr.write(renderDiagnosticsText([{ file, diagnostics }], { color: io.color }));
}
