/**
 * `aigw validate FILE...`: load and lint each manifest, render all diagnostics in one format.
 * Exit 0 clean (warnings allowed unless --strict), 1 findings, 2 when a file cannot be read.
 */
import { readPackageJson } from '../../runtime/package-root.js';
import { renderDiagnosticsGithub } from '../format/diagnostics-github.js';
import { renderDiagnosticsJson } from '../format/diagnostics-json.js';
import { manifestReport, reportFails, type FileReport } from '../format/diagnostics-report.js';
import { renderDiagnosticsSarif } from '../format/diagnostics-sarif.js';
import { renderDiagnosticsText } from '../format/diagnostics-text.js';
import { ExitCode, type Io } from '../io.js';
import { loadManifestSource, openManifestSource, specFromArgument } from '../manifest-source.js';
import { InputError, UsageError } from '../usage-error.js';

type Format = 'text' | 'json' | 'github' | 'sarif';

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = parseFormat(options['format']);
  const strict = options['strict'] === true;
  const allowMissingEnv = options['allowMissingEnv'] === true;
  if (args.length === 0) throw new UsageError('validate needs at least one manifest file (or - for stdin)');
  if (args.filter((argument) => argument === '-').length > 1) throw new UsageError('stdin (-) can be read only once');

  const reports: FileReport[] = [];
  // Sequential on purpose: output order follows the argument order (style §A.7).
  for (const argument of args) {
    const source = openManifestSource(specFromArgument(argument), io);
    try {
      const result = await loadManifestSource(source, io, { allowMissingEnv });
      reports.push(manifestReport(source.label, result));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      reports.push({ file: source.label, diagnostics: [], readError: error.message });
    }
  }

  for (const report of reports) {
    // Text and GitHub output carry no slot for I/O errors; JSON and SARIF report them in-band too.
    if (report.readError !== undefined && (format === 'text' || format === 'github')) io.stderr.write(`aigw: ${report.readError}\n`);
  }
  io.stdout.write(render(format, reports, io));

  if (reports.some((report) => report.readError !== undefined)) return ExitCode.Usage;
  const failing = reports.some((report) => reportFails(report, strict));
  return failing ? ExitCode.Findings : ExitCode.Ok;
}

function render(format: Format, reports: readonly FileReport[], io: Io): string {
  switch (format) {
    case 'text': return renderDiagnosticsText(reports, { color: io.color });
    case 'json': return renderDiagnosticsJson(reports);
    case 'github': return renderDiagnosticsGithub(reports);
    case 'sarif': return renderDiagnosticsSarif(reports, { version: readPackageJson().version });
    default: {
      const unknown: never = format;
      throw new UsageError(`unknown format ${String(unknown)}`);
    }
  }
}

function parseFormat(value: unknown): Format {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json' || value === 'github' || value === 'sarif') return value;
  throw new UsageError(`--format must be text, json, github or sarif, not ${String(value)}`);
}
