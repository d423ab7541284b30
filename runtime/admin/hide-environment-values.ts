/**
 * What the admin plane sends back about a manifest (a dry run's ChangeSet, diagnostics) is computed
 * on the gateway's interpolated values, so any `${VAR}` written into a non-secret field (a model
 * name, a fallback, a URL) would echo the gateway's environment — a provider key, the admin HMAC
 * secrets — to whoever holds an admin key, without a swap. These helpers put the reference back in
 * place of every value the gateway substituted, so the answer shows `${NAME}` as the file wrote it.
 * A literal that happens to equal a substituted value is shown as the reference too: over-hiding
 * is harmless, showing a value never is.
 */
import type { Diagnostic } from '../lint/diagnostic.js';
import type { ChangeSet, ChangeValue, EntityChange, FieldChange } from '../manifest/changeset.js';
import { parseTemplate } from '../manifest/interpolate.js';

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
        const known = references.get(value);
        if (known === undefined || reference < known) references.set(value, reference);
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

/** The ChangeSet with its values and names hidden; field names and kinds are the format's own words. */
export function hideInChangeSet(changeSet: ChangeSet, hide: HideValues): ChangeSet {
  const fields = (list: readonly FieldChange[]): FieldChange[] => list.map((change) => ({
    ...change,
    ...(change.before === undefined ? {} : { before: hideInValue(change.before, hide) }),
    ...(change.after === undefined ? {} : { after: hideInValue(change.after, hide) }),
  }));
  const entities = (list: readonly EntityChange[]): EntityChange[] => list.map((entity) => ({ ...entity, id: hide(entity.id), fields: fields(entity.fields) }));
  return {
    changed: changeSet.changed,
    routes: changeSet.routes.map((route) => ({
      ...route,
      name: hide(route.name),
      fields: fields(route.fields),
      targets: route.targets.map((target) => ({ ...target, target: hide(target.target), fields: fields(target.fields) })),
      shares: route.shares.map((share) => ({ ...share, target: hide(share.target) })),
    })),
    providers: entities(changeSet.providers),
    credentials: entities(changeSet.credentials),
    audit: fields(changeSet.audit),
  };
}

export function hideInDiagnostics(diagnostics: readonly Diagnostic[], hide: HideValues): Diagnostic[] {
  return diagnostics.map((diagnostic) => ({ ...diagnostic, message: hide(diagnostic.message), hint: hide(diagnostic.hint) }));
}

function hideInValue(value: ChangeValue, hide: HideValues): ChangeValue {
  if (typeof value === 'string') return hide(value);
  if (Array.isArray(value)) return value.map(hide);
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
