/**
 * The built-in redactions (`redact: [email, card, api_key]`). Each runs in time linear in the text:
 * a prompt of up to the body limit is redacted on the request path, so no pattern here may retry a
 * long run of characters from every position in it (a 4 MB prompt held the event loop for hours
 * once). Where a quantifier is unbounded, a lookbehind lets a match start only at the beginning of
 * its run.
 */

/**
 * Letters, marks and digits of any script, except those written without spaces between words (Han,
 * kana, Thai, …): there an address's neighbours would be read as part of it.
 */
const ADDRESS_LETTER = String.raw`(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}])[\p{L}\p{M}\p{N}])`;
/** One character of an address's local part: RFC 5322 dot-atoms as people write them (o'brien), RFC 6531 letters (jörg). */
const LOCAL_CHAR = new RegExp(String.raw`^(?:[A-Za-z0-9._%+'-]|${ADDRESS_LETTER})$`, 'u');
/**
 * The domain after the @, tried once per @ (sticky): labels, then a top-level label of two letters or
 * more (IDN ones too). Each character has exactly one way to match (ADDRESS_LETTER already holds the
 * ASCII letters and digits): with two ("[A-Za-z0-9-]" or a letter), every label of "a@b.b.b…!" could
 * be split two ways, and the backtracking doubled with each one — 33 letters held the event loop 63 s.
 */
const DOMAIN_CHAR = String.raw`(?:-|${ADDRESS_LETTER})`;
const EMAIL_DOMAIN = new RegExp(String.raw`${DOMAIN_CHAR}+(?:\.${DOMAIN_CHAR}+)*\.(?:(?!\p{N})${ADDRESS_LETTER}){2,}`, 'uy');

/** The code point that ends just before `end` (one or two UTF-16 units). */
function codePointBefore(text: string, end: number): string {
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(end - 2, end);
  }
  return text.charAt(end - 1);
}

/**
 * Email addresses, found from their @: what /[local]+@domain/g matches, but in linear time. That
 * regex, run over a long stretch of local-part characters without an @ (a hex dump, a base64 blob),
 * retried every start position to the end of the stretch. Here each @ looks left over its own run
 * (which ends at the previous @) and right once, so every character is read a bounded number of times.
 */
export function redactEmails(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    for (;;) {
      if (start <= copied) break;
      const previous = codePointBefore(text, start);
      if (!LOCAL_CHAR.test(previous)) break;
      start -= previous.length;
    }
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
 * Digits in groups separated by single spaces or dashes (4111 1111 1111 1111, 3782-822463-10005).
 * Each step is a digit run or one separator, so the scan never backtracks.
 */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;
/** 13 digits with at most single separators between them: every card has such a stretch (bounded: linear). */
const MAYBE_CARD = /\d(?:[ -]?\d){12}/;
const WORD_CHAR = /\w/;
const CARD_MIN_DIGITS = 13;
const CARD_MAX_DIGITS = 19;
/** Printed card numbers group 3 to 6 digits (4-4-4-4, 4-6-5, 4-4-4-4-3); shorter groups are other numbers. */
const CARD_MIN_GROUP = 3;

/**
 * Card numbers: 13–19 digits, Luhn-valid, written together or in groups, not glued to letters or
 * other digits. Looked for inside every run of grouped digits, so a card next to another number (its
 * expiry, its CVV, an amount: "4111 1111 1111 1111 09 27") is still found: a match of the whole run
 * would fail the Luhn check and let it through.
 */
export function redactCards(text: string): string {
  // Most texts hold no run of 13 digits: one quick test spares a callback per number.
  if (!MAYBE_CARD.test(text)) return text;
  return text.replace(DIGIT_RUN, (run: string, offset: number) => {
    if (run.length < CARD_MIN_DIGITS) return run;
    const gluedBefore = offset > 0 && WORD_CHAR.test(text.charAt(offset - 1));
    const gluedAfter = WORD_CHAR.test(text.charAt(offset + run.length));
    return redactCardsInRun(run, gluedBefore, gluedAfter);
  });
}

/** Start and end offsets of the digit groups of a run, flat (a typed array: a run may hold a million groups). */
function digitGroups(run: string): Int32Array {
  let separators = 0;
  for (let index = 0; index < run.length; index += 1) if (run.charCodeAt(index) < 48) separators += 1;
  const bounds = new Int32Array(2 * (separators + 1));
  let group = 0;
  for (let index = 0; index < run.length; index += 1) {
    if (run.charCodeAt(index) >= 48) continue;
    bounds[2 * group + 1] = index;
    group += 1;
    bounds[2 * group] = index + 1;
  }
  bounds[2 * group + 1] = run.length;
  return bounds;
}

/** The Luhn-valid spans of whole groups in one run, the longest from the leftmost group first. */
function redactCardsInRun(run: string, gluedBefore: boolean, gluedAfter: boolean): string {
  const bounds = digitGroups(run);
  const count = bounds.length / 2;
  const startOf = (group: number): number => bounds[2 * group] ?? 0;
  const endOf = (group: number): number => bounds[2 * group + 1] ?? 0;
  // A group glued to a letter is part of a word (an id like "ref4111…"), never a card's first or last group.
  const first = gluedBefore ? 1 : 0;
  const last = gluedAfter ? count - 2 : count - 1;
  let out = '';
  let copied = 0;
  for (let index = first; index <= last;) {
    let digits = '';
    let end = -1;
    for (let next = index; next <= last; next += 1) {
      // Several groups make a card only when each is card-like; a single group must hold every digit.
      if (next > index && (endOf(next) - startOf(next) < CARD_MIN_GROUP || endOf(index) - startOf(index) < CARD_MIN_GROUP)) break;
      digits += run.slice(startOf(next), endOf(next));
      if (digits.length > CARD_MAX_DIGITS) break;
      if (digits.length >= CARD_MIN_DIGITS && luhnValid(digits)) end = next;
    }
    if (end === -1) {
      index += 1;
      continue;
    }
    out += `${run.slice(copied, startOf(index))}[REDACTED:card]`;
    copied = endOf(end);
    index = end + 1;
  }
  return copied === 0 ? run : out + run.slice(copied);
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

/** `[aA][pP][iI]…` for a lower-case word; `_` stands for an optional `_` or `-` (api_key, api-key, apikey). */
function anyCase(word: string, capitalised = false): string {
  return [...word].map((char, index) => {
    if (char === '_') return '[_-]?';
    if (capitalised && index === 0) return char.toUpperCase();
    return `[${char}${char.toUpperCase()}]`;
  }).join('');
}

/** Names under which a secret is assigned: `api_key=…`, `"clientSecret": "…"`, `AWS_SECRET_ACCESS_KEY=…`. */
const SECRET_NAMES = ['api_key', 'secret', 'token', 'password', 'passwd', 'passphrase', 'private_key', 'access_key', 'auth_key'];

/**
 * A secret's name, standing alone or ending an identifier (OPENAI_API_KEY, client_secret, camelCase
 * clientSecret), maybe plural and followed by more identifier segments (SECRET_ACCESS_KEY,
 * secretAccessKey; not another word: tokenizer), an optionally quoted (or JSON-escaped) `:` or `=`,
 * then the value. The name stays, the value goes. Every quantifier before the value is bounded.
 */
const ASSIGNED_SECRET = new RegExp(
  String.raw`((?:(?<![A-Za-z])(?:${SECRET_NAMES.map((name) => anyCase(name)).join('|')})|(?<=[a-z0-9])(?:${SECRET_NAMES.map((name) => anyCase(name, true)).join('|')}))`
  + String.raw`[sS]?(?:[_-][A-Za-z0-9_-]{0,30}|(?<=[a-z])[A-Z][A-Za-z0-9_-]{0,30})?(?:\\?["'])?[ \t]{0,5}[:=][ \t]{0,5}(?:\\?["'])?)[^\s"'\\,;]{8,}`,
  'g',
);

/** Whether a text names a secret at all: one quick scan before ASSIGNED_SECRET's costlier one. */
const NAMES_A_SECRET = /api[_-]?key|secret|token|passw|passphrase|private[_-]?key|access[_-]?key|auth[_-]?key/i;

/** A credential in an Authorization header written out: Basic (Bearer has its own shape below). */
const BASIC_AUTHORIZATION = /((?<![A-Za-z])[Aa]uthorization(?:\\?["'])?[ \t]{0,5}[:=][ \t]{0,5}(?:\\?["'])?[Bb]asic[ \t]{1,5})[A-Za-z0-9+/]{8,}={0,2}/g;

/**
 * Key and token shapes, each starting where its run of key characters starts (so no match is retried
 * inside a run).
 * @see https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
const KEY_SHAPES = new RegExp([
  // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-), DeepSeek, OpenRouter (sk-or-v1-).
  String.raw`(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}`,
  // AWS access key ids: long-term (AKIA) and temporary (ASIA); the secret key has no shape (see ASSIGNED_SECRET).
  String.raw`(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Za-z])`,
  // Google API keys and OAuth access tokens (Gemini, Vertex AI).
  String.raw`(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}`,
  String.raw`(?<![A-Za-z0-9])ya29\.[0-9A-Za-z_-]{20,}`,
  // GitHub classic and fine-grained tokens.
  String.raw`(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{30,}`,
  String.raw`(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{30,}`,
  // Slack tokens and incoming webhooks.
  String.raw`(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}`,
  String.raw`(?<![A-Za-z0-9])xapp-\d-[A-Za-z0-9-]{10,}`,
  String.raw`hooks\.slack\.com/services/[A-Za-z0-9_/]{16,}`,
  // Stripe secret and restricted keys, webhook secrets.
  String.raw`(?<![A-Za-z0-9])[rs]k_(?:live|test)_[A-Za-z0-9]{10,}`,
  String.raw`(?<![A-Za-z0-9])whsec_[A-Za-z0-9]{20,}`,
  // Groq, xAI, Perplexity, Fireworks, Together, Hugging Face.
  String.raw`(?<![A-Za-z0-9])gsk_[A-Za-z0-9]{20,}`,
  String.raw`(?<![A-Za-z0-9])xai-[A-Za-z0-9]{20,}`,
  String.raw`(?<![A-Za-z0-9])pplx-[A-Za-z0-9]{20,}`,
  String.raw`(?<![A-Za-z0-9])fw_[A-Za-z0-9]{20,}`,
  String.raw`(?<![A-Za-z0-9])tgp_v1_[A-Za-z0-9_-]{20,}`,
  String.raw`(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}`,
  // JSON Web Tokens: header and payload are base64url JSON objects ("eyJ" is `{"`).
  String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
  // Bearer credentials written out (an Authorization header pasted into a prompt).
  String.raw`(?<![A-Za-z0-9])(?:[Bb]earer|BEARER)[ \t]+[A-Za-z0-9._~+/-]{16,}=*`,
  // PEM private keys, from BEGIN to END — or to the next "-----" or the end of the text when cut short.
  String.raw`-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-(?!----))*(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)?`,
].join('|'), 'g');

const API_KEY_MARKER = '[REDACTED:api_key]';

/** API keys, tokens and private keys: the shapes above, then secrets assigned to a telling name. */
export function redactApiKeys(text: string): string {
  const shaped = text
    .replace(KEY_SHAPES, API_KEY_MARKER)
    .replace(BASIC_AUTHORIZATION, (_match, name: string) => `${name}${API_KEY_MARKER}`);
  if (!NAMES_A_SECRET.test(shaped)) return shaped;
  return shaped.replace(ASSIGNED_SECRET, (_match, name: string) => `${name}${API_KEY_MARKER}`);
}
