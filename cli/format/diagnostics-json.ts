/**
 * The stable, versioned JSON form: `{version: 1, files: [...], diagnostics: [...]}`. Fields are only
 * ever added within a version.
 */
import { countBySeverity } from '../../runtime/lint/diagnostic.js';
import type { FileReport } from './diagnostics-report.js';

export const DIAGNOSTICS_JSON_VERSION = 1;

export function renderDiagnosticsJson(reports: readonly FileReport[]): string {
  const files = reports.map((report) => {
    const counts = countBySeverity(report.diagnostics);
    return {
      file: report.file,
      valid: report.readError === undefined && counts.errors === 0 && report.omittedError !== true,
      errors: counts.errors,
      warnings: counts.warnings,
      ...(report.manifestVersion === undefined ? {} : { manifestVersion: report.manifestVersion }),
      ...(report.omitted === undefined ? {} : { omitted: report.omitted }),
      ...(report.omittedError === true ? { omittedError: true } : {}),
      ...(report.readError === undefined ? {} : { readError: report.readError }),
    };
  });
  const diagnostics = reports.flatMap((report) => report.diagnostics.map(({ file, line, column, severity, ruleId, message, hint }) =>
    ({ file, line, column, severity, ruleId, message, hint })));
  return `${JSON.stringify({ version: DIAGNOSTICS_JSON_VERSION, files, diagnostics }, null, 2)}\n`;
}
