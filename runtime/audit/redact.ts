/**
 * The capture policy (manifest `audit:`): what of the prompt and the completion an audit record may
 * carry, applied before anything leaves the process. Order: redact (presets, then custom patterns)
 * → `hash` (sha256 of the whole redacted text) or `full` (the redacted text cut to
 * max_capture_chars) → `none` keeps neither.
 * Patterns are compiled once per policy, never per request.
 */
import { hash } from 'node:crypto';
import type { AuditPolicy, CapturePolicy, RedactionRule } from '../manifest/types.js';

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

/** Characters of an address's local part (before the @). */
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
/** The domain after the @, tried once per @ (sticky): labels, then a TLD of two letters or more. */
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;

/**
 * Email addresses, found from their @: what /[A-Za-z0-9._%+-]+@domain/g matches, but in linear time.
 * That regex, run over a long stretch of local-part characters without an @ (a hex dump, a base64
 * blob), retried every start position to the end of the stretch: quadratic, and a 4 MB prompt held
 * the event loop for hours. Here each @ looks left over its own run (which ends at the previous @) and
 * right once, so every character is read a bounded number of times.
 */
function redactEmails(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > copied && LOCAL_CHAR.test(text.charAt(start - 1))) start -= 1;
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    if (!EMAIL_DOMAIN.test(text)) continue;
    out += `${text.slice(copied, start)}[REDACTED:email]`;
    copied = EMAIL_DOMAIN.lastIndex;
    at = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Built-in presets. Card numbers are Luhn-checked so order ids and timestamps survive; API keys cover
 * the shapes the supported providers issue plus `key=…`-style assignments.
 * @see https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns
 */
const PRESETS: Readonly<Record<'email' | 'card' | 'api_key', Replacement>> = {
  email: redactEmails,
  card: patternReplacement(/\b\d(?:[ -]?\d){12,18}\b/g, (match) => (luhnValid(match.replace(/[ -]/g, '')) ? '[REDACTED:card]' : match)),
  api_key: patternReplacement(
    new RegExp([
      String.raw`\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}`,
      String.raw`\bAKIA[0-9A-Z]{16}\b`,
      String.raw`\bAIza[0-9A-Za-z_-]{35}`,
      String.raw`\bgh[pousr]_[A-Za-z0-9]{30,}`,
      String.raw`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
      String.raw`\bgsk_[A-Za-z0-9]{20,}`,
      String.raw`\bxai-[A-Za-z0-9]{20,}`,
      String.raw`\bpplx-[A-Za-z0-9]{20,}`,
      String.raw`\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*`,
      String.raw`\b(?:api[_-]?key|secret|token|password)\s*[:=]\s*["']?[^\s"',;]{8,}`,
    ].join('|'), 'gi'),
    () => '[REDACTED:api_key]',
  ),
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
  return patternReplacement(compileRedactPattern(rule.pattern), () => '[REDACTED]');
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

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
