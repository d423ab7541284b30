/**
 * A provider that quotes the key it was sent must not hand it to the app or the audit record, also
 * when the key has no known shape (an Azure key is 32 hex digits) or is echoed cut short.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import type { TranslatedError } from '../../../runtime/adapters/contract.js';
import { withoutProviderSecrets } from '../../../runtime/routing/scrub-provider-secrets.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { CHAT, entry, manifest, route, target } from './fakes.js';
import { harness } from './harness.js';

const AZURE_KEY = '3f9a1c2b7e6d5c4b3a29180f7e6dd7e8';

const rejection = (message: string): TranslatedError => ({
  status: 400, failoverClass: 'client_error', envelope: { error: { message, type: 'invalid_request_error', param: null, code: null } },
});

test('the exact key, and a run of 8 or more of its characters, are redacted; other text is kept', () => {
  const azure = entry('azure', 'azure-openai', { credentials: { api_key: literalSecret(AZURE_KEY) } });
  const whole = withoutProviderSecrets(rejection(`backend rejected credential ${AZURE_KEY} for deployment gpt-4o`), azure);
  assert.equal(whole.envelope.error.message, 'backend rejected credential [redacted] for deployment gpt-4o');
  const cut = withoutProviderSecrets(rejection(`key ${AZURE_KEY.slice(0, 12)}... is not valid`), azure);
  assert.equal(cut.envelope.error.message, 'key [redacted]... is not valid');
  const untouched = rejection('The deployment gpt-4o-mini-2024 does not exist.');
  assert.equal(withoutProviderSecrets(untouched, azure), untouched, 'nothing matched: the same error');
});

test('the key is taken out of param, code and type as well as message: the client reads them all', () => {
  const azure = entry('azure', 'azure-openai', { credentials: { api_key: literalSecret(AZURE_KEY) } });
  const echoed: TranslatedError = {
    status: 400, failoverClass: 'client_error',
    envelope: { error: { message: 'bad key', type: `auth ${AZURE_KEY}`, param: `key ${AZURE_KEY}`, code: AZURE_KEY.slice(4, 20) } },
  };
  const scrubbed = withoutProviderSecrets(echoed, azure);
  assert.deepEqual(scrubbed.envelope.error, { message: 'bad key', type: 'auth [redacted]', param: 'key [redacted]', code: '[redacted]' });
  assert.ok(!JSON.stringify(scrubbed).includes(AZURE_KEY.slice(4, 20)));
});

test('an Azure 400 that echoes the api-key reaches neither the app\'s answer nor the attempt detail', async () => {
  const providers = [entry('azure', 'azure-openai', { credentials: { api_key: literalSecret(AZURE_KEY) }, settings: { api_version: '2024-10-21' } })];
  const h = harness({
    manifest: manifest([route([target('azure', 'gpt-4o', 1)])], providers),
    adapters: { 'azure-openai': getAdapter('azure-openai') },
    script: { azure: { kind: 'json', status: 400, body: JSON.stringify({ error: { code: 'BadRequest', message: `backend rejected credential ${AZURE_KEY} for deployment` } }) } },
  });
  const result = await h.run(CHAT);
  assert.equal(result.status, 400);
  const text = JSON.stringify(result);
  assert.ok(!text.includes(AZURE_KEY) && !text.includes(AZURE_KEY.slice(0, 12)), text);
  assert.match(result.error?.envelope.error.message ?? '', /backend rejected credential \[redacted\] for deployment/);
});
