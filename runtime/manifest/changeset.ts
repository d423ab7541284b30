/**
 * The semantic diff of two normalized manifests (style §F: compute, render, apply are separate).
 * Pure and deterministic: routes, targets, providers and credentials sorted by name, fields in a fixed
 * order. Secrets appear only in their masked form (SecretRef.masked); a changed literal secret is
 * detected by comparing values in memory and reported without either value. Shared by `aigw diff`
 * and `POST /admin/reload?dry_run=true`.
 */
import { createHash } from 'node:crypto';
import { maskUrlPassword, type SecretRef } from '../secrets.js';
import { canonicalJson } from './canonical.js';
import type { AuditPolicy, Credential, Manifest, ProviderEntry, Route, Target } from './types.js';

export type ChangeKind = 'added' | 'removed' | 'changed';
export type ChangeValue = string | number | boolean | readonly string[];

export interface FieldChange {
  /** As the manifest spells it: `timeout_ms`, `retry.attempts`, `api_key`. */
  readonly field: string;
  /** Absent: the field is not set on that side. Secrets are masked. */
  readonly before?: ChangeValue;
  readonly after?: ChangeValue;
  /** The printed values are equal but the value changed (a literal secret, masked on both sides). */
  readonly maskedChange?: true;
}

/** First-pick traffic share of one target, in percent (one decimal), before → after. */
export interface ShareChange {
  readonly target: string;
  readonly before: number;
  readonly after: number;
}

export interface TargetChange {
  /** `provider/model` (with `#2` for a repeated pair). */
  readonly target: string;
  readonly kind: ChangeKind;
  readonly fields: readonly FieldChange[];
}

export interface RouteChange {
  readonly name: string;
  readonly kind: ChangeKind;
  readonly fields: readonly FieldChange[];
  readonly targets: readonly TargetChange[];
  /** Every target whose share differs (added and removed targets included). */
  readonly shares: readonly ShareChange[];
}

export interface EntityChange {
  readonly id: string;
  readonly kind: ChangeKind;
  readonly fields: readonly FieldChange[];
}

export interface ChangeSet {
  readonly changed: boolean;
  readonly routes: readonly RouteChange[];
  readonly providers: readonly EntityChange[];
  readonly credentials: readonly EntityChange[];
  readonly audit: readonly FieldChange[];
}

/** A field's printable value and what equality is decided on (a secret's identity never prints). */
interface FieldValue {
  readonly display: ChangeValue;
  readonly identity: string;
  /**
   * It holds a value a gateway's GET /admin/config masked (a literal secret or URL password as ****):
   * only its display can be compared (`aigw apply`'s server-side dry run compares the real value).
   */
  readonly masked?: true;
}

/** How GET /admin/config shows a literal secret or a URL password. */
const GATEWAY_MASK = '****';

type Fields = Map<string, FieldValue>;

export function computeChangeSet(before: Manifest, after: Manifest): ChangeSet {
  const routes = diffKeyed(byName(before.routes, (route) => route.name), byName(after.routes, (route) => route.name))
    .map(([name, old, next]) => diffRoute(name, old, next))
    .filter((change): change is RouteChange => change !== undefined);
  const providers = diffEntities(before.providers, after.providers, providerFields);
  const credentials = diffEntities(
    byName(before.credentials ?? [], (credential) => credential.id),
    byName(after.credentials ?? [], (credential) => credential.id),
    credentialFields,
  );
  const audit = diffFields(auditFields(before.audit), auditFields(after.audit));
  return {
    changed: routes.length + providers.length + credentials.length + audit.length > 0,
    routes,
    providers,
    credentials,
    audit,
  };
}

function diffRoute(name: string, old: Route | undefined, next: Route | undefined): RouteChange | undefined {
  // Most routes of a large manifest are unchanged by a reload: a direct comparison of the fields the
  // diff below looks at skips their field maps (a 2 000-route change set took 30–90 ms of event loop).
  if (old !== undefined && next !== undefined && sameRoute(old, next)) return undefined;
  const oldTargets = keyTargets(old?.targets ?? []);
  const nextTargets = keyTargets(next?.targets ?? []);
  const targets: TargetChange[] = [];
  for (const [key, before, after] of diffKeyed(oldTargets, nextTargets)) {
    const fields = diffFields(before === undefined ? new Map() : targetFields(before), after === undefined ? new Map() : targetFields(after));
    const kind: ChangeKind = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    if (kind !== 'changed' || fields.length > 0) targets.push({ target: key, kind, fields });
  }
  const oldShares = sharesOf(oldTargets);
  const nextShares = sharesOf(nextTargets);
  const shares: ShareChange[] = [];
  for (const key of sortedUnion(oldShares.keys(), nextShares.keys())) {
    const share = { target: key, before: oldShares.get(key) ?? 0, after: nextShares.get(key) ?? 0 };
    if (share.before !== share.after) shares.push(share);
  }
  const fields = diffFields(old === undefined ? new Map() : routeFields(old), next === undefined ? new Map() : routeFields(next));
  const reordered = orderChange(oldTargets, nextTargets);
  if (reordered !== undefined) fields.push(reordered);
  const kind: ChangeKind = old === undefined ? 'added' : next === undefined ? 'removed' : 'changed';
  if (kind === 'changed' && fields.length === 0 && targets.length === 0 && shares.length === 0) return undefined;
  return { name, kind, fields, targets, shares };
}

/** Equal in every field routeFields and targetFields list, with the targets in the same order. */
function sameRoute(a: Route, b: Route): boolean {
  return a.match.model === b.match.model
    && sameTarget(a.fallback, b.fallback)
    && a.timeoutMs === b.timeoutMs
    && a.failoverOn.length === b.failoverOn.length && a.failoverOn.every((trigger, index) => trigger === b.failoverOn[index])
    && a.retry.attempts === b.retry.attempts && a.retry.backoffMs === b.retry.backoffMs && a.retry.maxRetryAfterMs === b.retry.maxRetryAfterMs
    && a.streamFailover === b.streamFailover
    && a.streamIdleTimeoutMs === b.streamIdleTimeoutMs
    && a.dropParams === b.dropParams
    && a.defaultMaxTokens === b.defaultMaxTokens
    && a.targets.length === b.targets.length && a.targets.every((target, index) => sameTarget(target, b.targets[index]));
}

function sameTarget(a: Target | undefined, b: Target | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.provider === b.provider && a.model === b.model && a.weight === b.weight && a.maxLatencyMs === b.maxLatencyMs && a.prefill === b.prefill;
}

function diffEntities<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, fieldsOf: (entity: T) => Fields): EntityChange[] {
  const changes: EntityChange[] = [];
  for (const [id, old, next] of diffKeyed(before, after)) {
    const fields = diffFields(old === undefined ? new Map() : fieldsOf(old), next === undefined ? new Map() : fieldsOf(next));
    const kind: ChangeKind = old === undefined ? 'added' : next === undefined ? 'removed' : 'changed';
    if (kind !== 'changed' || fields.length > 0) changes.push({ id, kind, fields });
  }
  return changes;
}

/** Field-by-field comparison in the order the fields were listed (before's order, then after's new ones). */
function diffFields(before: Fields, after: Fields): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(field);
    const next = after.get(field);
    if (old?.identity === next?.identity) continue;
    if ((old?.masked === true || next?.masked === true) && old !== undefined && next !== undefined && canonicalJson(old.display) === canonicalJson(next.display)) continue;
    const maskedChange = old !== undefined && next !== undefined && canonicalJson(old.display) === canonicalJson(next.display);
    changes.push({
      field,
      ...(old === undefined ? {} : { before: old.display }),
      ...(next === undefined ? {} : { after: next.display }),
      ...(maskedChange ? { maskedChange: true as const } : {}),
    });
  }
  return changes;
}

function routeFields(route: Route): Fields {
  const fields: Fields = new Map();
  put(fields, 'match.model', route.match.model);
  if (route.fallback !== undefined) put(fields, 'fallback', `${route.fallback.provider}/${route.fallback.model}`);
  put(fields, 'timeout_ms', route.timeoutMs);
  put(fields, 'failover_on', [...route.failoverOn]);
  put(fields, 'retry.attempts', route.retry.attempts);
  put(fields, 'retry.backoff_ms', route.retry.backoffMs);
  put(fields, 'retry.max_retry_after_ms', route.retry.maxRetryAfterMs);
  put(fields, 'stream_failover', route.streamFailover);
  put(fields, 'stream_idle_timeout_ms', route.streamIdleTimeoutMs);
  put(fields, 'drop_params', route.dropParams);
  put(fields, 'default_max_tokens', route.defaultMaxTokens);
  return fields;
}

function targetFields(target: Target): Fields {
  const fields: Fields = new Map();
  put(fields, 'weight', target.weight);
  if (target.maxLatencyMs !== undefined) put(fields, 'max_latency_ms', target.maxLatencyMs);
  if (target.prefill !== undefined) put(fields, 'prefill', target.prefill);
  return fields;
}

function providerFields(provider: ProviderEntry): Fields {
  const fields: Fields = new Map();
  put(fields, 'type', provider.type);
  fields.set('base_url', urlValue(provider.baseUrl));
  for (const name of Object.keys(provider.settings).sort()) put(fields, name, provider.settings[name] ?? '');
  for (const name of Object.keys(provider.credentials).sort()) {
    const secret = provider.credentials[name];
    if (secret !== undefined) fields.set(name, secretValue(secret));
  }
  if (provider.limits?.requestsPerMinute !== undefined) put(fields, 'limits.requests_per_minute', provider.limits.requestsPerMinute);
  if (provider.limits?.tokensPerMinute !== undefined) put(fields, 'limits.tokens_per_minute', provider.limits.tokensPerMinute);
  if (Object.keys(provider.defaults).length > 0) put(fields, 'defaults', canonicalJson(provider.defaults));
  if (provider.prefill !== undefined) put(fields, 'prefill', provider.prefill);
  return fields;
}

function credentialFields(credential: Credential): Fields {
  const fields: Fields = new Map();
  // A sha256 is not a secret, but 64 characters bury the line; the prefix identifies it.
  fields.set('key_sha256', { display: `${credential.keySha256.slice(0, 12)}…`, identity: credential.keySha256 });
  if (credential.quota?.requestsPerMinute !== undefined) put(fields, 'quota.requests_per_minute', credential.quota.requestsPerMinute);
  if (credential.quota?.tokensPerMinute !== undefined) put(fields, 'quota.tokens_per_minute', credential.quota.tokensPerMinute);
  put(fields, 'routes', credential.routes === undefined ? 'all' : [...credential.routes]);
  return fields;
}

function auditFields(audit: AuditPolicy): Fields {
  const fields: Fields = new Map();
  const sinks = audit.sinks.map((sink) => (sink.type === 'jsonl'
    ? `jsonl ${sink.path}${sink.maxBytes === undefined ? '' : ` max_bytes=${sink.maxBytes}`}${sink.maxFiles === undefined ? '' : ` max_files=${sink.maxFiles}`}`
    : `elasticsearch ${maskUrlPassword(sink.url)} index=${sink.index}${sink.apiKey === undefined ? '' : ` api_key=${sink.apiKey.masked}`}${sink.username === undefined ? '' : ` username=${sink.username}`}${sink.password === undefined ? '' : ` password=${sink.password.masked}`}`));
  // A changed URL password shows as no change in `display`; the digest of each URL tells it apart.
  const secrets = audit.sinks.flatMap((sink) => (sink.type === 'elasticsearch' ? [sink.apiKey, sink.password] : []))
    .map((secret) => (secret === undefined ? '' : secretValue(secret).identity))
    .concat(audit.sinks.map((sink) => (sink.type === 'elasticsearch' ? digest(sink.url) : '')));
  const masked = audit.sinks.some((sink) => sink.type === 'elasticsearch'
    && ([sink.apiKey, sink.password].some((secret) => secret !== undefined && isGatewayMasked(secret)) || hasMaskedPassword(sink.url)));
  fields.set('sinks', masked ? { display: sinks, identity: canonicalJson([sinks, secrets]), masked } : { display: sinks, identity: canonicalJson([sinks, secrets]) });
  put(fields, 'prompt', audit.prompt);
  put(fields, 'completion', audit.completion);
  put(fields, 'redact', audit.redact.map((rule) => ('preset' in rule ? rule.preset : `pattern ${rule.pattern}`)));
  put(fields, 'max_capture_chars', audit.maxCaptureChars);
  return fields;
}

function put(fields: Fields, name: string, display: ChangeValue): void {
  fields.set(name, { display, identity: canonicalJson(display) });
}

/** Env references compare by name; literals by a digest of the value, which never leaves this module. */
function secretValue(secret: SecretRef): FieldValue {
  if (secret.source.kind === 'env') return { display: secret.masked, identity: `env:${secret.source.name}` };
  const identity = `literal:${digest(secret.reveal() ?? '')}`;
  return isGatewayMasked(secret) ? { display: secret.masked, identity, masked: true } : { display: secret.masked, identity };
}

function isGatewayMasked(secret: SecretRef): boolean {
  return secret.source.kind !== 'env' && secret.reveal() === GATEWAY_MASK;
}

/** A URL whose user-info password is the gateway's mask. */
function hasMaskedPassword(url: string): boolean {
  return maskUrlPassword(url) === url && /:\*\*\*\*@/.test(url);
}

/** A URL shown with its user-info password masked, compared by a digest of the whole URL. */
function urlValue(url: string): FieldValue {
  return hasMaskedPassword(url) ? { display: maskUrlPassword(url), identity: digest(url), masked: true } : { display: maskUrlPassword(url), identity: digest(url) };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The failover order (the picked target, then the others in file order) of the targets kept on both
 * sides, when it changed: swapping two targets changes which one a failing request tries next, though
 * no target's own fields change. Added and removed targets are reported as such, not as a new order.
 */
function orderChange(before: ReadonlyMap<string, Target>, after: ReadonlyMap<string, Target>): FieldChange | undefined {
  const kept = (keys: Iterable<string>, other: ReadonlyMap<string, Target>): string[] => [...keys].filter((key) => other.has(key));
  const old = kept(before.keys(), after);
  const next = kept(after.keys(), before);
  if (old.length < 2 || old.every((key, index) => key === next[index])) return undefined;
  return { field: 'targets order', before: old, after: next };
}

function keyTargets(targets: readonly Target[]): Map<string, Target> {
  const keyed = new Map<string, Target>();
  for (const target of targets) {
    const base = `${target.provider}/${target.model}`;
    let key = base;
    for (let occurrence = 2; keyed.has(key); occurrence += 1) key = `${base}#${occurrence}`;
    keyed.set(key, target);
  }
  return keyed;
}

/** weight / sum(weights), in percent with one decimal; all 0 when no target has weight. */
function sharesOf(targets: ReadonlyMap<string, Target>): Map<string, number> {
  const total = [...targets.values()].reduce((sum, target) => sum + Math.max(target.weight, 0), 0);
  const shares = new Map<string, number>();
  for (const [key, target] of targets) shares.set(key, total === 0 ? 0 : Math.round((Math.max(target.weight, 0) / total) * 1000) / 10);
  return shares;
}

function byName<T>(items: readonly T[], nameOf: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  // A duplicated name is a lint error, so the first one stands for it here.
  for (const item of items) if (!map.has(nameOf(item))) map.set(nameOf(item), item);
  return map;
}

/** [key, before, after] for every key of either map, sorted by key. */
function diffKeyed<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>): [string, T | undefined, T | undefined][] {
  return sortedUnion(before.keys(), after.keys()).map((key) => [key, before.get(key), after.get(key)]);
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
