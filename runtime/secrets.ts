/**
 * A secret from the manifest: its source (`${OPENAI_API_KEY}` or a literal) is shown, its value never.
 * Masking works from the reference, not by scanning rendered text (style §K): JSON serialisation and
 * `util.inspect` both print the masked form, so a SecretRef that reaches a log prints nothing secret.
 */

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export interface SecretRef {
  /** What the manifest wrote: `${NAME}` for environment references, `literal` for an inline value. */
  readonly source: { readonly kind: 'env'; readonly name: string } | { readonly kind: 'literal' };
  /** Safe to print: `${NAME}` or `****`. */
  readonly masked: string;
  /** True when a value is present (an env reference may be unset: serve warns, the call fails over). */
  readonly present: boolean;
  /** The value, for the transport's auth step only. */
  reveal(): string | undefined;
  toJSON(): string;
  toString(): string;
}

function makeSecret(source: SecretRef['source'], masked: string, value: string | undefined): SecretRef {
  const secret: SecretRef = {
    source,
    masked,
    present: value !== undefined && value !== '',
    reveal: () => value,
    toJSON: () => masked,
    toString: () => masked,
  };
  Object.defineProperty(secret, inspectSymbol, { value: () => `SecretRef(${masked})`, enumerable: false });
  return Object.freeze(secret);
}

/** A secret taken from an environment variable (the value may be absent). */
export function envSecret(name: string, value: string | undefined): SecretRef {
  return makeSecret({ kind: 'env', name }, '${' + name + '}', value);
}

/** A secret written inline in the manifest (the linter warns about it). */
export function literalSecret(value: string): SecretRef {
  return makeSecret({ kind: 'literal' }, '****', value);
}

/** The masked form for any value that may be a secret. */
export function mask(secret: SecretRef | undefined): string {
  return secret === undefined ? '' : secret.masked;
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && 'reveal' in value && 'masked' in value && 'source' in value;
}
