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

/**
 * A URL whose user-info password (`https://user:password@host`) is masked, for fields that are URLs
 * by schema (an Elasticsearch sink's `url`, a provider's `base_url`). The password is the text between
 * the first `:` of the user-info and the last `@` before the path, as WHATWG URL parsing reads it, so
 * a password holding `@` is masked whole. A plain `${NAME}` reference names a variable and stays.
 */
export function maskUrlPassword(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === -1) return url;
  const authorityStart = schemeEnd + 3;
  const pathStart = url.slice(authorityStart).search(/[/?#]/);
  const authority = pathStart === -1 ? url.slice(authorityStart) : url.slice(authorityStart, authorityStart + pathStart);
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at === -1 || colon === -1 || colon > at) return url;
  const password = authority.slice(colon + 1, at);
  if (password === '' || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(password)) return url;
  return `${url.slice(0, authorityStart + colon + 1)}****${url.slice(authorityStart + at)}`;
}
