/**
 * Fastify's default schema compilers (ajv, fast-json-stringify and their helpers, about 5 MB of
 * resident memory that issue 8's memory benchmark counts) never load: our routes declare no schema.
 */
import assert from 'node:assert/strict';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import Fastify from 'fastify';
import { NO_ROUTE_SCHEMAS } from '../../../runtime/server/no-route-schemas.js';
import { packageFilesLoadedAfter, runtimeModuleUrl } from '../../helpers/loaded-packages.js';

const appHarnessUrl = pathToFileURL(fileURLToPath(new URL('./app-harness.ts', import.meta.url))).href;
const adminHarnessUrl = pathToFileURL(fileURLToPath(new URL('../admin/admin-harness.ts', import.meta.url))).href;

const SERVE_GATEWAY = `
  const { testApp } = await import(${JSON.stringify(appHarnessUrl)});
  const { app } = testApp();
  const answer = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
  if (answer.statusCode !== 200) throw new Error('gateway answered ' + answer.statusCode + ' ' + answer.body);
  await app.close();`;

// The mock compiles its fixture schema with ajv itself; Fastify's compilers stay unloaded there too,
// and in the admin plane's app.
const SERVE_ALL_APPS = `${SERVE_GATEWAY}
  const { buildMockApp } = await import(${JSON.stringify(runtimeModuleUrl('mock/build-mock-app.ts'))});
  const mock = buildMockApp();
  await mock.ready();
  await mock.close();
  const { adminFixture } = await import(${JSON.stringify(adminHarnessUrl)});
  const cleanups = [];
  const admin = await adminFixture({ after: (cleanup) => { cleanups.push(cleanup); } });
  const status = await admin.send({ method: 'GET', url: '/admin/config' });
  if (status.statusCode !== 200) throw new Error('admin answered ' + status.statusCode + ' ' + status.body);
  for (const cleanup of cleanups.reverse()) await cleanup();`;

for (const packagePath of ['@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler']) {
  test(`the gateway, mock and admin apps answer without loading ${packagePath}`, () => {
    assert.deepEqual(packageFilesLoadedAfter(SERVE_ALL_APPS, packagePath), []);
  });
}

test('the gateway loads of ajv only the runtime helpers of its precompiled validators (no schema compiler)', () => {
  const loaded = packageFilesLoadedAfter(SERVE_GATEWAY, 'ajv');
  assert.deepEqual(loaded.filter((path) => !path.includes('/ajv/dist/runtime/')), []);
});

test('a route that declares a Fastify schema fails at ready() and says why', async () => {
  const app = Fastify({ logger: false, schemaController: NO_ROUTE_SCHEMAS });
  app.post('/checked', { schema: { body: { type: 'object' } } }, async () => ({ ok: true }));
  await assert.rejects(async () => { await app.ready(); }, /declare no Fastify validation schema/);
  await app.close().catch(() => undefined);
});
