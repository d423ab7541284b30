/**
 * Where a manifest's JSONL sink writes: a relative path is taken from the audit directory (the
 * directory of --audit-file, a writable volume in a container), not from the working directory (the
 * read-only image there). A sink that cannot be opened stops startup with a message naming it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
