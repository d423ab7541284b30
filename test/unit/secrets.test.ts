/** SecretRef masking and URL passwords: what may be printed of a secret, decided from its field, never by scanning text. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { envSecret, literalSecret, maskUrlPassword } from '../../runtime/secrets.js';

test('a SecretRef prints its source only: JSON, string, template and util.inspect', () => {
  const secret = literalSecret('sk-live-value');
  const fromEnv = envSecret('OPENAI_API_KEY', 'sk-env-value');
  const printed = [JSON.stringify({ secret, fromEnv }), String(secret), `${fromEnv}`, inspect({ secret, fromEnv })].join('\n');
  assert.equal(/sk-(live|env)-value/.test(printed), false, printed);
  assert.match(printed, /\$\{OPENAI_API_KEY\}/);
  assert.equal(secret.reveal(), 'sk-live-value');
});

test('maskUrlPassword masks the user-info password and keeps the rest of the URL', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['https://elastic:changeme@es:9200/path?x=1', 'https://elastic:****@es:9200/path?x=1'],
    ['https://elastic:p@ss@es:9200', 'https://elastic:****@es:9200'],
    ['redis://:hunter2@redis:6379/0', 'redis://:****@redis:6379/0'],
    ['http://user:${VLLM_PASSWORD}@vllm:8000/v1', 'http://user:${VLLM_PASSWORD}@vllm:8000/v1'],
    ['http://user:${PW:-fallback}@vllm:8000/v1', 'http://user:****@vllm:8000/v1'],
    ['https://es:9200/a@b', 'https://es:9200/a@b'],
    ['https://user@es:9200', 'https://user@es:9200'],
    ['https://es:9200', 'https://es:9200'],
    ['not a url', 'not a url'],
  ];
  for (const [url, masked] of cases) assert.equal(maskUrlPassword(url), masked, url);
});
