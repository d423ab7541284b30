/**
 * The capture policy (manifest `audit:`): what of the prompt and the completion an audit record may
 * carry, applied before anything leaves the process. Order: redact (presets, then custom patterns)
 * → `hash` (sha256 of the whole redacted text) or `full` (the redacted text cut to
 * max_capture_chars) → `none` keeps neither.
 * Patterns are compiled once per policy, never per request.
 */
import { hash } from 'node:crypto';
import type { AuditPolicy, CapturePolicy, RedactionRule } from '../manifest/types.js';
import { redactApiKeys, redactCards, redactEmails } from './redact-presets.js';

/** What a record carries for one captured text. */
export interface CapturedText {
  readonly capture: CapturePolicy;
  /** The redacted text, cut to the limit (capture `full` only). */
  readonly text?: string;
  /** Hex sha256 of the whole redacted text (capture `hash` only). */
  readonly sha256?: string;
  /** Length of the redacted text before any cut (absent for `none`). */
  readonly chars?: number;
  /** True when the text was cut to max_capture_chars. */
  readonly truncated?: boolean;
}

export interface Redactor {
  /** Applies every redaction (presets and custom patterns) to `text`. */
  redact(text: string): string;
  /** Redacts, then captures according to `policy`. */
  capture(text: string, policy: CapturePolicy): CapturedText;
}

/** One redaction rule, compiled: the text with what it matches replaced. */
type Replacement = (text: string) => string;

/** A global pattern's matches replaced (lastIndex reset: the pattern is shared by every call). */
function patternReplacement(pattern: RegExp, replace: (match: string) => string): Replacement {
  return (text) => {
    pattern.lastIndex = 0;
    return text.replace(pattern, replace);
  };
}

/**
 * Built-in presets (redact-presets.ts). Card numbers are Luhn-checked so order ids and timestamps
 * survive; API keys cover the shapes the supported providers and common platforms issue, plus
 * secrets assigned to a telling name (`api_key=…`, `"clientSecret": "…"`).
 */
const PRESETS: Readonly<Record<'email' | 'card' | 'api_key', Replacement>> = {
  email: redactEmails,
  card: redactCards,
  api_key: redactApiKeys,
};

/** Compiles the policy's redactions once; throws a clear error for an invalid custom pattern. */
export function createRedactor(policy: Pick<AuditPolicy, 'redact' | 'maxCaptureChars'>): Redactor {
  const replacements = policy.redact.map(compileRule);
  const maxChars = policy.maxCaptureChars;
  const redact = (text: string): string => {
    let result = text;
    for (const replacement of replacements) result = replacement(result);
    return result;
  };
  return {
    redact,
    capture(text, capture) {
      if (capture === 'none') return { capture };
      const redacted = redact(text);
      // One-shot crypto.hash: a third of createHash().update().digest()'s cost, on every request (issue 8).
      if (capture === 'hash') return { capture, sha256: hash('sha256', redacted, 'hex'), chars: redacted.length };
      const truncated = redacted.length > maxChars;
      return { capture, text: truncated ? cut(redacted, maxChars) : redacted, chars: redacted.length, truncated };
    },
  };
}

function compileRule(rule: RedactionRule): Replacement {
  if ('preset' in rule) return PRESETS[rule.preset];
  // An empty match (`\d*`, `x?`) hides nothing: marking it would put a marker between every character.
  return patternReplacement(compileRedactPattern(rule.pattern), (match) => (match === '' ? '' : '[REDACTED]'));
}

/**
 * Unicode mode first (code points, \p{…}); a pattern only valid without it (`\-`, a lone `{`) still
 * works. Throws a TypeError naming the pattern when neither compiles (lint's audit/bad-redact-pattern
 * uses it, so validate and serve judge a pattern alike).
 */
export function compileRedactPattern(source: string): RegExp {
  try {
    return new RegExp(source, 'gu');
  } catch {
    try {
      return new RegExp(source, 'g');
    } catch (error) {
      throw new TypeError(`audit.redact pattern ${JSON.stringify(source)} is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Cuts at a code-point boundary so a surrogate pair is never split. */
function cut(text: string, maxChars: number): string {
  const end = maxChars > 0 && /[\uD800-\uDBFF]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}
