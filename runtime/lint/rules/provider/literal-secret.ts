/** provider/literal-secret: a secret written into the manifest instead of referenced as ${VAR}. */
import { PROVIDER_SECRET_FIELDS, SINK_SECRET_FIELDS } from '../../../manifest/document.js';
import { hasReference } from '../../../manifest/interpolate.js';
import { describePointer, pointerOf } from '../../../manifest/positions.js';
import type { Finding, LintRule } from '../../rule.js';

export const providerLiteralSecretRule: LintRule = {
  id: 'provider/literal-secret',
  check({ document }) {
    const findings: Finding[] = [];
    // The message names the field, never the value.
    const check = (value: string | undefined, pointer: string, suggestion: string): void => {
      if (value === undefined || hasReference(value)) return;
      findings.push({ pointer, message: `${describePointer(pointer)} is a literal secret`, hint: `Reference an environment variable instead, e.g. "\${${suggestion}}", and keep the value out of the file.` });
    };
    for (const [id, entry] of Object.entries(document.providers ?? {})) {
      for (const field of PROVIDER_SECRET_FIELDS) {
        check(entry[field], pointerOf('providers', id, field), `${id}_${field}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_'));
      }
    }
    for (const [index, sink] of (document.audit?.sinks ?? []).entries()) {
      if (sink.type !== 'elasticsearch') continue;
      for (const field of SINK_SECRET_FIELDS) check(sink[field], pointerOf('audit', 'sinks', index, field), `ES_${field.toUpperCase()}`);
    }
    return findings;
  },
};
