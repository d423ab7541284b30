/**
 * Diagnostics quote the manifest's values after `${VAR}` interpolation, so a `${VAR}` written into a
 * field a rule checks (a fallback, a model name, a URL) would print the environment's value — a
 * provider key, an admin secret — in `aigw validate` (a CI log), serve's start-up lines and the
 * admin plane's 422. The hider puts the reference back in place of every value the loader
 * substituted, so the message shows `${NAME}` as the file wrote it. A literal that happens to equal
 * a substituted value is shown as the reference too: over-hiding is harmless, showing a value never is.
 */
import type { Diagnostic } from '../lint/diagnostic.js';
import { maskUrlPassword } from '../secrets.js';
import { parseTemplate } from './interpolate.js';

/** No secret is this short; shorter values (`80`, `eu`) are shown. */
export const MIN_HIDDEN_LENGTH = 4;

/** Replaces every substituted value in a text with the `${NAME}` it came from. */
export type HideValues = (text: string) => string;

/** The substitutions the gateway made in `documents` (un-interpolated manifests) from `env`. */
export function environmentValueHider(documents: readonly unknown[], env: Readonly<Record<string, string | undefined>>): HideValues {
  const references = new Map<string, string>();
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const part of parseTemplate(node)) {
        if (part.kind !== 'reference') continue;
        const value = env[part.name];
        // An unset or empty variable resolves to its default: text from the manifest, not the environment.
        // Values shorter than a credential can be (a port, a region code) stay: hiding them would put
        // `${NAME}` into every unrelated string that contains them.
        if (value === undefined || value.length < MIN_HIDDEN_LENGTH) continue;
        const reference = `\${${part.name}}`;
        for (const form of shownForms(value)) {
          if (form.length < MIN_HIDDEN_LENGTH) continue;
          const known = references.get(form);
          if (known === undefined || reference < known) references.set(form, reference);
        }
      }
    } else if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (typeof node === 'object' && node !== null) {
      Object.values(node).forEach(visit);
    }
  };
  documents.forEach(visit);
  if (references.size === 0) return (text) => text;
  // Longest first: one alternation replaces in a single pass, so a value inside another is not split.
  const values = [...references.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const pattern = new RegExp(values.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, (value) => references.get(value) ?? value);
}

export function hideInDiagnostics(diagnostics: readonly Diagnostic[], hide: HideValues): Diagnostic[] {
  return diagnostics.map((diagnostic) => ({ ...diagnostic, message: hide(diagnostic.message), hint: hide(diagnostic.hint) }));
}

/**
 * The forms in which messages and change sets show a value: as it is; escaped inside a JSON string
 * (a rule quoting it with JSON.stringify, a change set's canonical JSON of an object), once or twice;
 * a URL without its trailing `/` (the loader drops it) or with its user-info password masked; and the
 * 12-character prefix under which a 64-hex key digest is shown.
 */
function shownForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  const forms = [value, escaped, JSON.stringify(escaped).slice(1, -1)];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) forms.push(value.replace(/\/+$/, ''), maskUrlPassword(value), maskUrlPassword(value).replace(/\/+$/, ''));
  if (/^[0-9a-f]{64}$/i.test(value)) forms.push(value.slice(0, 12));
  return [...new Set(forms)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
