/** What `aigw validate` hands each renderer: per file, its diagnostics or the I/O error that stopped it. */
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import type { LoadManifestResult } from '../../runtime/manifest/load-manifest.js';

export interface FileReport {
  /** The path as the user wrote it, or `<stdin>`. */
  readonly file: string;
  /** Sorted; empty when the file could not be read. */
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics beyond the loader's cap. */
  readonly omitted?: number;
  /** An error is among the omitted diagnostics although none of the shown ones is. */
  readonly omittedError?: boolean;
  /** sha256 of the canonical document, when it parsed. */
  readonly manifestVersion?: string;
  /** Set when the file could not be read (exit 2). */
  readonly readError?: string;
}

/**
 * A loaded manifest's report. The loader keeps the first diagnostics by position, so 200 warnings
 * can hide an error further down; it still withholds the manifest then, and that is how we know.
 */
export function manifestReport(file: string, result: Pick<LoadManifestResult, 'diagnostics' | 'omitted' | 'manifest'> & Partial<Pick<LoadManifestResult, 'document'>>): FileReport {
  const omitted = result.omitted ?? 0;
  const hiddenError = omitted > 0 && result.manifest === undefined && !result.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  return {
    file,
    diagnostics: result.diagnostics,
    ...(omitted > 0 ? { omitted } : {}),
    ...(hiddenError ? { omittedError: true } : {}),
    // The version of what parsed (validate's document carries it, and so does every command's).
    ...(result.document === undefined ? {} : { manifestVersion: manifestVersion(result.document) }),
  };
}

/** Whether a diagnostic fails the run: errors always, warnings under --strict. */
export function isFailing(diagnostic: Diagnostic, strict: boolean): boolean {
  return diagnostic.severity === 'error' || strict;
}

/** Whether a file's findings fail the run, those not shown included. */
export function reportFails(report: FileReport, strict: boolean): boolean {
  return report.omittedError === true || report.diagnostics.some((diagnostic) => isFailing(diagnostic, strict));
}

/** `220 more diagnostics not shown`, saying so when an error is among them. */
export function omittedNote(report: FileReport): string | undefined {
  if (report.omitted === undefined || report.omitted <= 0) return undefined;
  return `${report.omitted} more diagnostics not shown${report.omittedError === true ? ', at least one of them an error' : ''}`;
}
