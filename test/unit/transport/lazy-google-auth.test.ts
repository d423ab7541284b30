/**
 * google-auth-library (about 12 MB of resident memory, issue 8's memory benchmark) is loaded by the
 * transport only when a Vertex AI service-account key is first used, never at gateway start.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageFilesLoadedAfter, runtimeModuleUrl } from '../../helpers/loaded-packages.js';

const transport = runtimeModuleUrl('transport/undici-transport.ts');

function googleModulesAfter(body: string): string[] {
  return packageFilesLoadedAfter(`const { createUndiciTransport } = await import(${JSON.stringify(transport)});\n${body}`, 'google-auth-library');
}

test('creating the transport loads no google-auth-library', () => {
  assert.deepEqual(googleModulesAfter('await createUndiciTransport().close();'), []);
});

test('the first service-account mint loads it (the check above is not vacuous)', () => {
  const loaded = googleModulesAfter(`
    const { googleAuthTokenSource } = await import(${JSON.stringify(runtimeModuleUrl('transport/apply-auth.ts'))});
    await googleAuthTokenSource().accessToken('{}').catch(() => undefined);
    void createUndiciTransport;`);
  assert.ok(loaded.length > 0);
});
