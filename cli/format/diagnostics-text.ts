/** `file:line:col severity rule-id message` and an indented `hint:` line per diagnostic, then a summary. */
import { countBySeverity } from '../../runtime/lint/diagnostic.js';
import { omittedNote, type FileReport } from './diagnostics-report.js';
import { palette } from './diagnostics-palette.js';

export function renderDiagnosticsText(reports: readonly FileReport[], options: { color: boolean }): string {
  const paint = palette(options.color);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let omitted = 0;
  let omittedError = false;
  for (const report of reports) {
    if (report.readError !== undefined) continue;
    for (const diagnostic of report.diagnostics) {
      const severity = diagnostic.severity === 'error' ? paint.red('error') : paint.yellow('warning');
      lines.push(`${paint.bold(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}`)} ${severity} ${paint.cyan(diagnostic.ruleId)} ${diagnostic.message}`);
      lines.push(`  ${paint.dim(`hint: ${diagnostic.hint}`)}`);
    }
    const note = omittedNote(report);
    if (note !== undefined) lines.push(`${report.file}: ${note}`);
    omitted += report.omitted ?? 0;
    omittedError ||= report.omittedError === true;
    const counts = countBySeverity(report.diagnostics);
    errors += counts.errors;
    warnings += counts.warnings;
  }
  const checked = reports.filter((report) => report.readError === undefined).length;
  const unreadable = reports.length - checked;
  const files = `${checked} ${checked === 1 ? 'file' : 'files'}`;
  // "no problems" only when every file was read: an unreadable one is a problem (exit 2), said on stderr.
  const notRead = unreadable === 0 ? '' : `; ${plural(unreadable, 'file')} could not be read`;
  // The counts are of the diagnostics shown: a last line reading "0 errors" must not hide the rest.
  const notShown = omitted === 0 ? '' : ` (${omitted} more not shown${omittedError ? ', at least one an error' : ''})`;
  lines.push(errors + warnings + omitted === 0 && unreadable === 0
    ? paint.green(`${files} checked: no problems`)
    : `${files} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${notShown}${notRead}`);
  return `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
