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
    ['api_key=supersecretvalue123', '[REDACTED:api_key]'],
    ['password: "hunter2hunter2"', '[REDACTED:api_key]"'],
    ['nothing to see, timestamp 1767225600000', 'nothing to see, timestamp 1767225600000'],
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
