/**
 * google-auth-library (about 12 MB of resident memory, issue 8's memory benchmark) is loaded by the
 * transport only when a Vertex AI service-account key is first used, never at gateway start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const transport = pathToFileURL(fileURLToPath(new URL('../../../runtime/transport/undici-transport.ts', import.meta.url))).href;

function googleModulesAfter(body: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const { createUndiciTransport } = await import(${JSON.stringify(transport)});
    ${body}
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/google-auth-library/'));
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

test('creating the transport loads no google-auth-library', () => {
  assert.deepEqual(googleModulesAfter('await createUndiciTransport().close();'), []);
});

test('the first service-account mint loads it (the check above is not vacuous)', () => {
  const loaded = googleModulesAfter(`
    const { googleAuthTokenSource } = await import(${JSON.stringify(transport.replace('undici-transport.ts', 'apply-auth.ts'))});
    await googleAuthTokenSource().accessToken('{}').catch(() => undefined);
    void createUndiciTransport;`);
  assert.ok(loaded.length > 0);
});
