/**
 * A replica on a Redis config store serves the stored manifest, not its own file (issue 7), and its
 * audit sinks are that manifest's too: a replica started from an older file must not write the
 * fleet's audit records to a sink the fleet's manifest no longer names.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { requireService } from '../helpers/services.js';
import { mockProviders, startTestGateway, startTestMock, tempDirectory } from '../e2e/helpers/gateway-harness.js';

test('a replica started from a file whose audit sinks differ audits to the stored manifest\'s sinks', async (t) => {
  const url = requireService(t, 'redis');
  if (url === undefined) return;
  const redisPrefix = `test-${randomUUID()}`;
  t.after(async () => {
    const redis = new Redis(url);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const mock = await startTestMock(t);
  const directory = await tempDirectory(t);
  const storedSink = join(directory, 'stored-sink.jsonl');
  const fileSink = join(directory, 'file-sink.jsonl');
  const manifest = (model: string, sink: string): string => `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - { name: "route-${model}", match: { model: "${model}" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
audit:
  sinks: [ { type: jsonl, path: "${sink}" } ]
`;
  const settings = { redisUrl: url, redisPrefix };
  // The first replica seeds the empty store with its manifest, then goes away.
  const seeding = await startTestGateway(t, manifest('stored', storedSink), { settings, env: { OPENAI_API_KEY: 'sk-test' } });
  await seeding.gateway.close();

  const replica = await startTestGateway(t, manifest('from-file', fileSink), { settings, env: { OPENAI_API_KEY: 'sk-test' } });
  const completion = await replica.client.chat.completions.create({ model: 'stored', messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(completion.object, 'chat.completion');
  await replica.gateway.audit.flush(5_000);

  const records = readFileSync(storedSink, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { aigw: { route: string } });
  assert.deepEqual(records.map((record) => record.aigw.route), ['route-stored']);
  assert.equal(existsSync(fileSink), false, 'nothing opened or written at the file manifest\'s sink');
});
