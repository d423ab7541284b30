/**
 * Canonical JSON (object keys sorted by UTF-16 code units, no whitespace, numbers as JSON writes them)
 * and the manifest version: the sha256 of the canonical form of the parsed, un-interpolated document.
 * Formatting, comments, key order and anchors do not change the version; any value does. Secrets are
 * not involved: `${VAR}` references are hashed as written, never their values. The admin plane
 * (GET /admin/config, If-Match) and `aigw apply` use this version.
 * @see https://www.rfc-editor.org/rfc/rfc8785 (the same key order; number formatting is JSON.stringify's)
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // Non-finite numbers (YAML .inf/.nan) have no JSON form; JSON.stringify writes null, as here.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const members = keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(',')}}`;
}

/** sha256 hex of the canonical JSON of a parsed manifest document. */
export function manifestVersion(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}
