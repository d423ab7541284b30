/** What `aigw validate` hands each renderer: per file, its diagnostics or the I/O error that stopped it. */
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';

export interface FileReport {
  /** The path as the user wrote it, or `<stdin>`. */
  readonly file: string;
  /** Sorted; empty when the file could not be read. */
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics beyond the loader's cap. */
  readonly omitted?: number;
  /** sha256 of the canonical document, when it parsed. */
  readonly manifestVersion?: string;
  /** Set when the file could not be read (exit 2). */
  readonly readError?: string;
}

/** Whether a diagnostic fails the run: errors always, warnings under --strict. */
export function isFailing(diagnostic: Diagnostic, strict: boolean): boolean {
  return diagnostic.severity === 'error' || strict;
}
