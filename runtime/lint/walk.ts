/** Shared traversals for rules: every target and fallback with its pointer. */
import type { ManifestDocument, RouteDocument, TargetDocument } from '../manifest/document.js';
import { pointerOf } from '../manifest/positions.js';
import { splitProviderModel } from '../manifest/provider-catalog.js';

export interface TargetVisit {
  readonly route: RouteDocument;
  readonly routeIndex: number;
  readonly target: TargetDocument;
  /** Pointer of the target object. */
  readonly pointer: string;
}

export function* targetsOf(document: ManifestDocument): Generator<TargetVisit> {
  for (const [routeIndex, route] of document.ai_routes.entries()) {
    for (const [targetIndex, target] of route.targets.entries()) {
      yield { route, routeIndex, target, pointer: pointerOf('ai_routes', routeIndex, 'targets', targetIndex) };
    }
  }
}

export interface FallbackVisit {
  readonly route: RouteDocument;
  readonly routeIndex: number;
  readonly provider: string;
  readonly model: string;
  /** Pointer of the fallback string. */
  readonly pointer: string;
}

/** Well-formed fallbacks only (route/fallback-format reports the others). */
export function* fallbacksOf(document: Pick<ManifestDocument<unknown>, 'ai_routes'>): Generator<FallbackVisit> {
  for (const [routeIndex, route] of document.ai_routes.entries()) {
    if (route.fallback === undefined) continue;
    const parsed = splitProviderModel(route.fallback);
    if (parsed !== undefined) yield { route, routeIndex, ...parsed, pointer: pointerOf('ai_routes', routeIndex, 'fallback') };
  }
}

/** Provider ids some target or fallback references. */
export function referencedProviders(document: ManifestDocument): Set<string> {
  const ids = new Set<string>();
  for (const { target } of targetsOf(document)) ids.add(target.provider);
  for (const { provider } of fallbacksOf(document)) ids.add(provider);
  return ids;
}

/** A value still holding its ${VAR} reference (unset under --allow-missing-env): env/missing-variable reports it. */
export function isUnresolvedReference(value: string): boolean {
  return /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/.test(value);
}

/** Items whose key repeats an earlier item's: each later index with the index of the first. */
export function repeats<T>(items: readonly T[], keyOf: (item: T, index: number) => string): { index: number; first: number }[] {
  const firstByKey = new Map<string, number>();
  const found: { index: number; first: number }[] = [];
  for (const [index, item] of items.entries()) {
    const key = keyOf(item, index);
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, index);
    else found.push({ index, first });
  }
  return found;
}
