/**
 * The live manifest as GET /admin/config returns it: the un-interpolated document, so `${VAR}`
 * references stay as written (they name a variable, not its value), while everything that could be a
 * secret value becomes `****`: literal secret fields, the literal default of `${VAR:-default}` in a
 * secret field, and the password of a URL's user-info. Masking works on the fields the schema
 * declares as secrets (document.ts), never by scanning text for things that look secret.
 */
import { PROVIDER_SECRET_FIELDS, SINK_SECRET_FIELDS } from '../manifest/document.js';
import { parseTemplate } from '../manifest/interpolate.js';
import { maskUrlPassword } from '../secrets.js';

export const MASK = '****';

/** A deep copy of `document` with secrets masked; the input is not modified. */
export function maskDocument(document: unknown): unknown {
  if (!isRecord(document)) return document;
  const copy = structuredClone(document);
  const providers = copy['providers'];
  if (isRecord(providers)) {
    for (const entry of Object.values(providers)) {
      if (!isRecord(entry)) continue;
      for (const field of PROVIDER_SECRET_FIELDS) if (field in entry) entry[field] = maskSecret(entry[field]);
      if (typeof entry['base_url'] === 'string') entry['base_url'] = maskUrlPassword(entry['base_url']);
    }
  }
  const audit = copy['audit'];
  const sinks = isRecord(audit) ? audit['sinks'] : undefined;
  if (Array.isArray(sinks)) {
    for (const sink of sinks) {
      if (!isRecord(sink)) continue;
      for (const field of SINK_SECRET_FIELDS) if (field in sink) sink[field] = maskSecret(sink[field]);
      if (typeof sink['url'] === 'string') sink['url'] = maskUrlPassword(sink['url']);
    }
  }
  return copy;
}

/** `${NAME}` stays; any literal part (text, a default value, a malformed reference) becomes ****. */
export function maskSecret(value: unknown): string {
  if (typeof value !== 'string') return MASK;
  const parts = parseTemplate(value);
  if (parts.length === 0) return MASK;
  const masked = parts.map((part) => {
    if (part.kind !== 'reference') return MASK;
    return part.fallback === undefined ? part.source : `\${${part.name}:-${MASK}}`;
  });
  // Adjacent literal parts collapse into one mask: their number and lengths are not shown either.
  return masked.filter((part, index) => part !== MASK || masked[index - 1] !== MASK).join('');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
