/**
 * The 422 body's `validation` member: exactly the document `aigw validate --format json` prints for
 * the same text (style §A.2), so CI tooling reads reload rejections with the parser it already has.
 * It calls the CLI's renderer rather than re-implementing it: the one runtime → cli/format import,
 * kept because two copies of the format would drift (cli/format/diagnostics-json.ts is pure).
 */
import { renderDiagnosticsJson } from '../../cli/format/diagnostics-json.js';
import type { ApplyOutcome } from './apply-manifest.js';

export function toValidationDocument(outcome: Extract<ApplyOutcome, { type: 'invalid' }>): unknown {
  return JSON.parse(renderDiagnosticsJson([{
    file: outcome.file,
    diagnostics: outcome.diagnostics,
    ...(outcome.omitted === undefined ? {} : { omitted: outcome.omitted }),
    ...(outcome.manifestVersion === undefined ? {} : { manifestVersion: outcome.manifestVersion }),
  }]));
}
