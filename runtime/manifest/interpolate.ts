/**
 * `${NAME}` and `${NAME:-default}` in string values, from the environment given (never
 * process.env directly). A missing variable is a diagnostic naming it — never a silent empty string
 * (design §2); under allowMissingEnv it is a warning and the reference stays as written. Secret
 * fields become SecretRefs, so their values are never part of any printable data.
 */
import type { Diagnostic } from '../lint/diagnostic.js';
import { makeDiagnostic } from '../lint/make-diagnostic.js';
import { envSecret, literalSecret, type SecretRef } from '../secrets.js';
import { isSecretPointer, type ManifestDocument } from './document.js';
import { escapePointerToken, type PositionIndex } from './positions.js';

export interface InterpolateOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A missing variable is a warning instead of an error (CI jobs that hold no secrets). */
  readonly allowMissingEnv?: boolean;
}

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'reference'; readonly name: string; readonly fallback?: string; readonly source: string }
  | { readonly kind: 'malformed'; readonly source: string };

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/;

/** Splits a string into literal text and references; `$${` is a literal `${`. */
export function parseTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let index = 0;
  while (index < value.length) {
    const next = value.indexOf('$', index);
    if (next === -1) break;
    text += value.slice(index, next);
    if (value.startsWith('$${', next)) {
      text += '${';
      index = next + 3;
      continue;
    }
    if (!value.startsWith('${', next)) {
      text += '$';
      index = next + 1;
      continue;
    }
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    const match = REFERENCE.exec(value.slice(next));
    if (match === null) {
      const close = value.indexOf('}', next);
      const source = value.slice(next, close === -1 ? value.length : close + 1);
      parts.push({ kind: 'malformed', source });
      index = next + source.length;
      continue;
    }
    const [source, name = '', fallback] = match;
    parts.push(fallback === undefined ? { kind: 'reference', name, source } : { kind: 'reference', name, fallback, source });
    index = next + source.length;
  }
  text += value.slice(index);
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** True when the string holds at least one `${…}` reference (even a malformed one). */
export function hasReference(value: string): boolean {
  return parseTemplate(value).some((part) => part.kind !== 'text');
}

export interface InterpolationResult {
  readonly document: ManifestDocument<SecretRef>;
  readonly diagnostics: readonly Diagnostic[];
  /** Findings past MAX_INTERPOLATION_DIAGNOSTICS, counted but not located (locating each costs a scan). */
  readonly omitted: number;
  /** Whether an omitted finding was an error (the manifest must then be withheld). */
  readonly omittedError: boolean;
}

/** More reference findings than this are counted only: the loader reports at most 200 anyway. */
export const MAX_INTERPOLATION_DIAGNOSTICS = 1_000;

export function interpolateDocument(document: ManifestDocument, positions: PositionIndex, file: string,
                                    options: InterpolateOptions): InterpolationResult {
  const diagnostics: Diagnostic[] = [];
  let omitted = 0;
  let omittedError = false;
  const missingSeverity = options.allowMissingEnv === true ? 'warning' : 'error';
  const report = (isError: boolean, create: () => Diagnostic): void => {
    if (diagnostics.length < MAX_INTERPOLATION_DIAGNOSTICS) {
      diagnostics.push(create());
    } else {
      omitted += 1;
      omittedError ||= isError;
    }
  };
  const resolveString = (raw: string, pointer: string, secret: boolean): string | SecretRef => {
    const parts = parseTemplate(raw);
    let value = '';
    let missing = false;
    for (const part of parts) {
      if (part.kind === 'text') {
        value += part.text;
      } else if (part.kind === 'malformed') {
        // In a secret field the malformed text may be the secret itself (a key pasted into ${…}).
        report(true, () => makeDiagnostic('env/malformed-reference', file, positions.locateText(pointer, part.source),
          secret ? 'malformed environment reference in a secret field (its text is not shown)' : `malformed environment reference ${part.source}`));
        value += part.source;
      } else {
        const found = options.env[part.name];
        if (found !== undefined && found !== '') value += found;
        else if (part.fallback !== undefined) value += part.fallback;
        else {
          missing = true;
          report(missingSeverity === 'error', () => makeDiagnostic('env/missing-variable', file, positions.locateText(pointer, part.source),
            `environment variable ${part.name} is not set`,
            { severity: missingSeverity }));
          value += part.source;
        }
      }
    }
    if (!secret) return value;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === 'reference') return envSecret(only.name, missing ? undefined : value);
    // A literal, or text around references: masked as **** whatever it holds.
    return literalSecret(value);
  };
  const walk = (node: unknown, pointer: string, secret: boolean): unknown => {
    if (typeof node === 'string') return resolveString(node, pointer, secret);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${pointer}/${index}`, false));
    if (typeof node === 'object' && node !== null) {
      const result: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        const childPointer = `${pointer}/${escapePointerToken(key)}`;
        Object.defineProperty(result, key, { value: walk(value, childPointer, isSecretPointer(childPointer)), enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    return node;
  };
  // The walk preserves the schema-checked shape; only secret fields change type (string → SecretRef).
  return { document: walk(document, '', false) as ManifestDocument<SecretRef>, diagnostics, omitted, omittedError };
}
