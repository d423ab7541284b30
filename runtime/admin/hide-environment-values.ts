/**
 * A dry run's ChangeSet is computed on the gateway's interpolated values: shown as is, any `${VAR}`
 * written into a non-secret field would echo the gateway's environment to whoever holds an admin key,
 * without a swap. Its values and names go through the loader's hider (manifest/hide-environment-values.ts),
 * as diagnostics already do.
 */
import type { ChangeSet, ChangeValue, EntityChange, FieldChange } from '../manifest/changeset.js';
import type { HideValues } from '../manifest/hide-environment-values.js';

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

function hideInValue(value: ChangeValue, hide: HideValues): ChangeValue {
  if (typeof value === 'string') return hide(value);
  if (Array.isArray(value)) return value.map(hide);
  return value;
}
