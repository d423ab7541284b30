/**
 * The token tree of a regular expression, from `ret` (the parser safe-regex2 checks with). Its
 * CommonJS module is the tokenizer itself, which its type declarations call a default export; loaded
 * through require so that what runs is what is typed here.
 */
import { createRequire } from 'node:module';

const TOKEN_TYPES = { ROOT: 0, GROUP: 1, POSITION: 2, SET: 3, RANGE: 4, REPETITION: 5, REFERENCE: 6, CHAR: 7 } as const;

export interface RegexToken {
  readonly type: number;
  readonly stack?: readonly RegexToken[];
  readonly options?: readonly (readonly RegexToken[])[];
  readonly min?: number;
  /** Infinity: unbounded. */
  readonly max?: number;
  readonly value?: RegexToken | number | string;
  readonly followedBy?: boolean;
  readonly notFollowedBy?: boolean;
}

interface Ret {
  (pattern: string): RegexToken;
  reconstruct(token: RegexToken): string;
}

const ret = createRequire(import.meta.url)('ret') as Ret;

/** The tree, or undefined for a pattern `ret` cannot read (lookbehind, named groups, `\p{…}`). */
export function regexTokens(pattern: string): RegexToken | undefined {
  try {
    return ret(pattern);
  } catch {
    return undefined;
  }
}

export const regexSource = (token: RegexToken): string => ret.reconstruct(token);

/** The alternatives of a root or group: each a sequence of tokens. */
export function alternativesOf(token: RegexToken): readonly (readonly RegexToken[])[] {
  return token.options ?? (token.stack === undefined ? [] : [token.stack]);
}

export { TOKEN_TYPES };
