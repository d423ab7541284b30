import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createRedactor } from '../../../runtime/audit/redact.js';

const all = createRedactor({ redact: [{ preset: 'email' }, { preset: 'card' }, { preset: 'api_key' }], maxCaptureChars: 8192 });

test('presets redact e-mail addresses, Luhn-valid card numbers and API keys', () => {
  const cases: [string, string][] = [
    ['mail jane.doe+x@example.co.uk now', 'mail [REDACTED:email] now'],
    ['card 4111 1111 1111 1111 ok', 'card [REDACTED:card] ok'],
    ['card 4111-1111-1111-1111', 'card [REDACTED:card]'],
    ['order 4111 1111 1111 1112 stays (Luhn fails)', 'order 4111 1111 1111 1112 stays (Luhn fails)'],
    ['key sk-proj-abcdefghijklmnop1234 end', 'key [REDACTED:api_key] end'],
    ['sk-ant-api03-AAAAAAAAAAAAAAAAAAAA', '[REDACTED:api_key]'],
    ['aws AKIAABCDEFGHIJKLMNOP.', 'aws [REDACTED:api_key].'],
    ['google AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', 'google [REDACTED:api_key]'],
    ['Authorization: Bearer abcdefghijklmnopqrstuvwxyz', 'Authorization: [REDACTED:api_key]'],
    ['api_key=supersecretvalue123', 'api_key=[REDACTED:api_key]'],
    ['password: "hunter2hunter2"', 'password: "[REDACTED:api_key]"'],
    ['nothing to see, timestamp 1767225600000', 'nothing to see, timestamp 1767225600000'],
  ];
  for (const [input, expected] of cases) assert.equal(all.redact(input), expected, input);
});

test('api_key finds the key and token shapes of common providers and platforms', () => {
  const keys: [string, string][] = [
    ['OpenAI service account', `sk-svcacct-${'aB3'.repeat(20)}`],
    ['OpenAI key after an underscore', `KEY_sk-${'a1'.repeat(20)}`],
    ['AWS temporary access key id', 'ASIAIOSFODNN7EXAMPLE'],
    ['Google OAuth access token', `ya29.a0AfH6SMB${'x1'.repeat(20)}`],
    ['GitHub fine-grained token', `github_pat_11ABCDEFG0${'a'.repeat(12)}_${'b'.repeat(59)}`],
    ['Slack app token', `xapp-1-A0123456789-1234567890123-${'a'.repeat(64)}`],
    ['Slack webhook', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
    ['Stripe live key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['Stripe restricted key', 'rk_test_4eC39HqLyjWDarjtT1zdp7dc'],
    ['Hugging Face token', `hf_${'a1B'.repeat(12)}`],
    ['Fireworks key', `fw_${'a1B'.repeat(8)}`],
    ['JWT', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
    ['PEM private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7V7eC4j\nabcdEFGH1234\n-----END RSA PRIVATE KEY-----'],
  ];
  for (const [label, key] of keys) {
    const kept = /^(?:https:\/\/|KEY_)/.exec(key)?.[0] ?? '';
    assert.equal(all.redact(`before ${key} after`), `before ${kept}[REDACTED:api_key] after`, label);
  }
  // A private key pasted cut short (no END line) is redacted to the end of the text.
  assert.equal(all.redact('key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAA'), 'key:\n[REDACTED:api_key]');
});

test('api_key redacts the value assigned to a secret-like name, in env, JSON, headers and camelCase, and keeps the name', () => {
  const cases: [string, string][] = [
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[REDACTED:api_key]'],
    ['export MISTRAL_API_KEY="abcdefghij0123456789abcdefghij01"', 'export MISTRAL_API_KEY="[REDACTED:api_key]"'],
    ['{"api_key": "abcdef1234567890"}', '{"api_key": "[REDACTED:api_key]"}'],
    ['{"apiKey":"abcdef1234567890","clientSecret":"0123456789abcdef"}', '{"apiKey":"[REDACTED:api_key]","clientSecret":"[REDACTED:api_key]"}'],
    ['"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG"', '"SecretAccessKey": "[REDACTED:api_key]"'],
    ['{\\"access_token\\":\\"abcdefgh12345\\"}', '{\\"access_token\\":\\"[REDACTED:api_key]\\"}'],
    ['x-api-key: abcdef1234567890', 'x-api-key: [REDACTED:api_key]'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [REDACTED:api_key]'],
  ];
  for (const [input, expected] of cases) assert.equal(all.redact(input), expected, input);
  // Words that merely start like a secret's name, and short values, stay.
  for (const text of ['tokenizer: sentencepiece-unigram', 'TOKENIZERS_PARALLELISM=falsefalse', 'password: is required', 'tokens=1234 total', 'Basic understanding of everything']) {
    assert.equal(all.redact(text), text, text);
  }
});

test('card finds a card number next to other numbers (expiry, CVV, a year), but not lists of small numbers', () => {
  const cases: [string, string][] = [
    ['Card 4111 1111 1111 1111 09 27 cvv 123', 'Card [REDACTED:card] 09 27 cvv 123'],
    ['Card: 4111 1111 1111 1111 123', 'Card: [REDACTED:card] 123'],
    ['pay with 5500 0000 0000 0004 12 26', 'pay with [REDACTED:card] 12 26'],
    ['x 12 4111111111111111', 'x 12 [REDACTED:card]'],
    ['the year 2024 4111 1111 1111 1111', 'the year 2024 [REDACTED:card]'],
    ['amex 3782 822463 10005 exp 04 28', 'amex [REDACTED:card] exp 04 28'],
    ['ref4111111111111111 stays: glued to a word', 'ref4111111111111111 stays: glued to a word'],
    ['1 2 3 4 5 6 7 8 9 1 0 1 2 3 4 5 6 7 8 9', '1 2 3 4 5 6 7 8 9 1 0 1 2 3 4 5 6 7 8 9'],
  ];
  for (const [input, expected] of cases) assert.equal(all.redact(input), expected, input);
});

test('email takes addresses with letters of any script and apostrophes whole, without swallowing CJK neighbours', () => {
  const cases: [string, string][] = [
    ['from jörg@example.de', 'from [REDACTED:email]'],
    ["from o'brien@example.com", 'from [REDACTED:email]'],
    ['to info@bücher.de today', 'to [REDACTED:email] today'],
    ['请发邮件到jane@example.com谢谢', '请发邮件到[REDACTED:email]谢谢'],
  ];
  for (const [input, expected] of cases) assert.equal(all.redact(input), expected, input);
});

test('custom patterns apply after the presets; an invalid one is a clear error', () => {
  const redactor = createRedactor({ redact: [{ preset: 'email' }, { pattern: 'EMP-\\d{6}' }], maxCaptureChars: 100 });
  assert.equal(redactor.redact('EMP-123456 wrote to a@b.io, EMP-1 too'), '[REDACTED] wrote to [REDACTED:email], EMP-1 too');
  assert.throws(() => createRedactor({ redact: [{ pattern: '(' }], maxCaptureChars: 1 }), /audit\.redact pattern "\(" is not a valid regular expression/);
  // Valid only outside unicode mode: still accepted.
  assert.equal(createRedactor({ redact: [{ pattern: 'id\\-\\d+' }], maxCaptureChars: 1 }).redact('see id-42'), 'see [REDACTED]');
  assert.equal(createRedactor({ redact: [{ pattern: '\\p{Lu}{3}' }], maxCaptureChars: 1 }).redact('ABC def'), '[REDACTED] def');
});

test('a custom pattern that can match nothing marks only what it matches, not every position', () => {
  assert.equal(createRedactor({ redact: [{ pattern: 'ACME-\\d*' }], maxCaptureChars: 100 }).redact('id ACME-12 and ACME-'), 'id [REDACTED] and [REDACTED]');
  const optional = createRedactor({ redact: [{ pattern: '\\d*' }], maxCaptureChars: 100 });
  assert.equal(optional.redact('call 555 now'), 'call [REDACTED] now');
  assert.deepEqual(optional.capture('hello', 'full'), { capture: 'full', text: 'hello', chars: 5, truncated: false });
});

test('no rules means text passes unchanged; repeated use does not leak regex state', () => {
  assert.equal(createRedactor({ redact: [], maxCaptureChars: 10 }).redact('a@b.io'), 'a@b.io');
  for (let index = 0; index < 3; index += 1) assert.equal(all.redact('x a@b.io'), 'x [REDACTED:email]');
});

test('capture full redacts then cuts to max_capture_chars and says so', () => {
  const redactor = createRedactor({ redact: [{ preset: 'email' }], maxCaptureChars: 20 });
  assert.deepEqual(redactor.capture('write to jane@example.com please', 'full'), {
    capture: 'full', text: 'write to [REDACTED:e', chars: 'write to [REDACTED:email] please'.length, truncated: true,
  });
  assert.deepEqual(redactor.capture('short', 'full'), { capture: 'full', text: 'short', chars: 5, truncated: false });
});

test('a cut never splits a surrogate pair', () => {
  const redactor = createRedactor({ redact: [], maxCaptureChars: 2 });
  assert.equal(redactor.capture('a😀b', 'full').text, 'a');
});

test('capture hash is the sha256 of the whole redacted text; none keeps nothing', () => {
  const redacted = 'mail [REDACTED:email]';
  assert.deepEqual(all.capture('mail jane@example.com', 'hash'), {
    capture: 'hash', sha256: createHash('sha256').update(redacted).digest('hex'), chars: redacted.length,
  });
  assert.deepEqual(all.capture('mail jane@example.com', 'none'), { capture: 'none' });
});

test('the email preset finds what the plain address regex finds, on random text built from address characters', () => {
  const reference = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
  const email = createRedactor({ redact: [{ preset: 'email' }], maxCaptureChars: 1 });
  const alphabet = 'ab1.-_+@@ .x%Z';
  let seed = 7;
  const next = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  for (let round = 0; round < 5000; round += 1) {
    let text = '';
    const length = next() % 40;
    for (let index = 0; index < length; index += 1) text += alphabet.charAt(next() % alphabet.length);
    assert.equal(email.redact(text), text.replace(reference, '[REDACTED:email]'), JSON.stringify(text));
  }
});

test('redacting a prompt at the body limit takes one pass: a 4 MB run with no @ cannot hold the event loop', () => {
  // The regex this replaced retried every start position of such a run: hours for 4 MB, seconds for 100 KB.
  const email = createRedactor({ redact: [{ preset: 'email' }, { preset: 'card' }, { preset: 'api_key' }], maxCaptureChars: 1 });
  // 256 KB first: the old regex needed about half a minute for it, so this fails rather than hangs.
  const run = `${'0123456789abcdef'.repeat(16 * 1024)}@`;
  const started = performance.now();
  assert.equal(email.redact(`${run}x`), `${run}x`);
  assert.ok(performance.now() - started < 2_000, `took ${Math.round(performance.now() - started)} ms`);
  assert.equal(email.redact(`${'a'.repeat(4 * 1024 * 1024)}@example.com`), '[REDACTED:email]');
  assert.equal(email.redact(`${'0123456789abcdef'.repeat(256 * 1024)} mail a@b.io`), `${'0123456789abcdef'.repeat(256 * 1024)} mail [REDACTED:email]`);
  assert.ok(performance.now() - started < 5_000, `took ${Math.round(performance.now() - started)} ms`);
});

test('a domain that cannot end an address is given up at once: a model name of 36 characters held the event loop a minute', () => {
  const email = createRedactor({ redact: [{ preset: 'email' }], maxCaptureChars: 1 });
  const started = performance.now();
  // 27 letters: seconds before the fix (each one doubled the time), so this fails rather than hangs.
  const model = `a@${'b'.repeat(27)}!`;
  assert.equal(email.redact(`The model \`${model}\` does not exist`), `The model \`${model}\` does not exist`);
  assert.equal(email.redact(`a@${'b.'.repeat(40)}io`), '[REDACTED:email]');
  assert.ok(performance.now() - started < 1_000, `took ${Math.round(performance.now() - started)} ms`);
});

test('the presets stay linear on adversarial prompts: runs that look like the start of a key, a card or an address', () => {
  const megabyte = 1024 * 1024;
  const inputs: [string, string][] = [
    ['spaced digits', '1 '.repeat(megabyte / 2)],
    ['digit groups', '4111 '.repeat(megabyte / 5)],
    ['key prefixes', 'sk-'.repeat(megabyte / 3)],
    ['JWT headers', 'eyJ'.repeat(megabyte / 3)],
    ['PEM headers', '-----BEGIN RSA PRIVATE KEY-----'.repeat(megabyte / 31)],
    ['secret names', 'xToken'.repeat(megabyte / 6)],
    ['assignments without values', 'api_key= '.repeat(megabyte / 9)],
    ['at signs', 'é@'.repeat(megabyte / 2)],
    // Each letter of a domain once had two ways to match: these took 2^n steps (33 letters: 63 s).
    ['a domain that ends in a stop', `a@${'b'.repeat(megabyte)}!`],
    ['a domain of one-letter labels', `a@${'b.'.repeat(megabyte / 2)}!`],
    ['a domain of hyphens', `a@${'b-'.repeat(megabyte / 2)}!`],
    ['addresses without a top-level label', 'a@b.c'.repeat(megabyte / 5)],
  ];
  for (const [label, text] of inputs) {
    const started = performance.now();
    all.redact(text);
    const took = performance.now() - started;
    assert.ok(took < 2_000, `${label}: ${Math.round(took)} ms for 1 MB`);
  }
});
