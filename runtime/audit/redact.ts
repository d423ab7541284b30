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

interface Replacement {
  readonly pattern: RegExp;
  readonly replace: (match: string) => string;
}

/**
 * Built-in presets. Card numbers are Luhn-checked so order ids and timestamps survive; API keys cover
 * the shapes the supported providers issue plus `key=…`-style assignments.
 * @see https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns
 */
const PRESETS: Readonly<Record<'email' | 'card' | 'api_key', Replacement>> = {
  email: { pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, replace: () => '[REDACTED:email]' },
  card: {
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    replace: (match) => (luhnValid(match.replace(/[ -]/g, '')) ? '[REDACTED:card]' : match),
  },
  api_key: {
    pattern: new RegExp([
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
    replace: () => '[REDACTED:api_key]',
  },
};

/** Compiles the policy's redactions once; throws a clear error for an invalid custom pattern. */
export function createRedactor(policy: Pick<AuditPolicy, 'redact' | 'maxCaptureChars'>): Redactor {
  const replacements = policy.redact.map(compileRule);
  const maxChars = policy.maxCaptureChars;
  const redact = (text: string): string => {
    let result = text;
    for (const { pattern, replace } of replacements) {
      pattern.lastIndex = 0;
      result = result.replace(pattern, replace);
    }
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
  return { pattern: compilePattern(rule.pattern), replace: () => '[REDACTED]' };
}

/** Unicode mode first (code points, \p{…}); a pattern only valid without it (`\-`, a lone `{`) still works. */
function compilePattern(source: string): RegExp {
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
