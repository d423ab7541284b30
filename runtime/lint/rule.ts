/** The shape of one lint rule (style §C: one rule per file under rules/<family>/<name>.ts). */
import type { Manifest } from '../manifest/types.js';
import type { ManifestDocument } from '../manifest/document.js';
import type { PositionIndex, PositionPart } from '../manifest/positions.js';
import type { SecretRef } from '../secrets.js';
import type { RuleId } from './registry.js';

/** Everything a rule may read; rules are pure functions of it. */
export interface LintContext {
  /** As written (un-interpolated), already accepted by the schema. */
  readonly document: ManifestDocument;
  /** After interpolation: secret fields are SecretRefs. */
  readonly resolved: ManifestDocument<SecretRef>;
  readonly manifest: Manifest;
  /** For messages that cite another line ("first defined on line 4"). */
  readonly positions: PositionIndex;
}

/** A rule's finding: where (a JSON pointer into the document) and what. */
export interface Finding {
  readonly pointer: string;
  /** Point at the key rather than the value (unknown or misplaced keys). Default: value. */
  readonly part?: PositionPart;
  readonly message: string;
  /** Replaces the registry hint when the rule knows better (did you mean …). */
  readonly hint?: string;
}

export interface LintRule {
  readonly id: RuleId;
  check(context: LintContext): readonly Finding[];
}
