/**
 * Where a manifest's JSONL sink writes: a relative path is taken from the audit directory (the
 * directory of --audit-file, a writable volume in a container), not from the working directory (the
 * read-only image there). A sink that cannot be opened stops startup with a message naming it. A
 * start that fails after the audit opened (a port in use) takes back the empty files it made.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveSettings } from '../../runtime/server/settings.js';
import { startGateway, StartupError } from '../../runtime/server/start-gateway.js';
import { mockProviders, startTestGateway, startTestMock, tempDirectory } from './helpers/gateway-harness.js';

test('a relative JSONL sink path is written in the directory of --audit-file, not the working directory', async (t) => {
  const mock = await startTestMock(t);
  const sinkName = `relative-sink-${process.pid}.jsonl`;
  const handle = await startTestGateway(t, `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
audit:
  sinks: [ { type: jsonl, path: "${sinkName}" } ]
`);
  await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  await handle.gateway.audit.flush(5_000);
  const records = readFileSync(join(handle.directory, sinkName), 'utf8').trim().split('\n');
  assert.equal(records.length, 1);
  assert.equal(existsSync(join(process.cwd(), sinkName)), false, 'nothing in the working directory');
});

test('a sink that cannot be opened is a startup error naming the audit directory, not an unexpected error', async (t) => {
  const directory = await tempDirectory(t);
  const manifestFile = join(directory, 'routes.yaml');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(manifestFile, `ai_routes:\n  - { name: chat, match: { model: "m" }, targets: [ { provider: openai, model: m } ] }\naudit:\n  sinks: [ { type: jsonl, path: /dev/null/cannot.jsonl } ]\n`);
  const settings = { ...resolveSettings({}, {}, manifestFile), port: 0, auditFile: join(directory, 'audit.jsonl') };
  await assert.rejects(startGateway(settings, {}, { logger: false }), (error: unknown) => {
    assert.ok(error instanceof StartupError, String(error));
    assert.match(error.message, /cannot open the audit sinks .*--audit-file.*\/dev\/null/);
    return true;
  });
});

/** A port something else holds for the test's length. */
async function portInUse(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

async function startOnPort(directory: string, port: number): Promise<unknown> {
  const manifestFile = join(directory, 'routes.yaml');
  writeFileSync(manifestFile, 'ai_routes:\n  - { name: chat, match: { model: "m" }, targets: [ { provider: openai, model: m } ] }\n');
  const settings = { ...resolveSettings({}, {}, manifestFile), host: '127.0.0.1', port, auditFile: join(directory, 'audit.jsonl') };
  return startGateway(settings, {}, { logger: false }).then(() => assert.fail('started on a port in use'), (error: unknown) => error);
}

test('a start that fails on a port in use leaves no audit file or spool it made behind', async (t) => {
  const directory = await tempDirectory(t);
  const error = await startOnPort(directory, await portInUse(t));
  assert.ok(error instanceof StartupError, String(error));
  assert.match(error.message, /cannot listen on 127\.0\.0\.1:\d+/);
  assert.deepEqual(readdirSync(directory).sort(), ['routes.yaml']);
});

test('a start that fails on a port in use keeps a spooled record', async (t) => {
  const directory = await tempDirectory(t);
  writeFileSync(join(directory, 'audit.jsonl'), '');
  mkdirSync(join(directory, '.aigw-spool'));
  writeFileSync(join(directory, '.aigw-spool', 'jsonl.spool.jsonl'), '{"http":{"request":{"id":"spooled-1"}}}\n');
  const error = await startOnPort(directory, await portInUse(t));
  assert.ok(error instanceof StartupError, String(error));
  // The spooled record may have been delivered to the sink before the port was tried: either way it is kept.
  const kept = readFileSync(join(directory, 'audit.jsonl'), 'utf8') + readFileSync(join(directory, '.aigw-spool', 'jsonl.spool.jsonl'), 'utf8');
  assert.match(kept, /spooled-1/);
});

test('a start that fails on a port in use keeps an empty audit file and spool directory that were there before it', async (t) => {
  const directory = await tempDirectory(t);
  writeFileSync(join(directory, 'audit.jsonl'), '');
  mkdirSync(join(directory, '.aigw-spool'));
  const error = await startOnPort(directory, await portInUse(t));
  assert.ok(error instanceof StartupError, String(error));
  assert.equal(existsSync(join(directory, 'audit.jsonl')), true);
  assert.equal(existsSync(join(directory, '.aigw-spool')), true);
});
