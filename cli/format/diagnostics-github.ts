/**
 * GitHub Actions workflow commands: one `::error`/`::warning` annotation per diagnostic.
 * @see https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
 */
import { omittedNote, type FileReport } from './diagnostics-report.js';

export function renderDiagnosticsGithub(reports: readonly FileReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    if (report.readError !== undefined) {
      lines.push(`::error file=${escapeProperty(report.file)},title=aigw::${escapeData(report.readError)}`);
      continue;
    }
    for (const diagnostic of report.diagnostics) {
      const properties = [
        `file=${escapeProperty(diagnostic.file)}`,
        `line=${diagnostic.line}`,
        `col=${diagnostic.column}`,
        `title=${escapeProperty(diagnostic.ruleId)}`,
      ].join(',');
      lines.push(`::${diagnostic.severity} ${properties}::${escapeData(`${diagnostic.message}\nhint: ${diagnostic.hint}`)}`);
    }
    // The annotations stop at the loader's cap: say so, as an error when one is among the rest.
    const note = omittedNote(report);
    if (note !== undefined) {
      lines.push(`::${report.omittedError === true ? 'error' : 'notice'} file=${escapeProperty(report.file)},title=aigw::${escapeData(`${note}; run aigw validate locally and fix the ones shown first`)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Message escaping of the Actions runner (toolkit `escapeData`). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property escaping of the Actions runner (toolkit `escapeProperty`). */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
