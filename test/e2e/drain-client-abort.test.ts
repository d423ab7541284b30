/**
 * A client that leaves while the gateway drains (SIGTERM) still leaves its audit record: shutdown
 * waits for the request's handler, which writes the record after the socket closed, before it closes
 * the audit writer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { APIUserAbortError } from 'openai';
import { eventually, mockProviders, startTestGateway, startTestMock } from './helpers/gateway-harness.js';

test('a client that leaves during the drain is audited 499, not lost when the audit writer closes', async (t) => {
  const mock = await startTestMock(t);
  const handle = await startTestGateway(t, `
${mockProviders(mock.url, { openai: 'openai' })}
ai_routes:
  - { name: waiting, match: { model: "waiting" }, targets: [ { provider: openai, model: gpt-waiting } ] }
`);
  mock.setFaults(['model=gpt-waiting,delay_headers=3000']);
  const controller = new AbortController();
  const pending = handle.client.chat.completions.create({ model: 'waiting', messages: [{ role: 'user', content: 'Hi' }] }, { signal: controller.signal });
  await eventually(() => mock.log().find((entry) => entry.model === 'gpt-waiting'), 2_000, 'the upstream request');
  const closing = handle.gateway.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  await assert.rejects(pending, APIUserAbortError);
  await closing;
  assert.doesNotMatch(handle.logText(), /AUDIT RECORD LOST/);
  const records = readFileSync(handle.auditFile, 'utf8').trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { aigw: { route: string; client_aborted?: boolean }; http: { response: { status_code: number } } });
  const record = records.find((line) => line.aigw.route === 'waiting');
  assert.ok(record !== undefined, 'the record was written before the audit writer closed');
  assert.equal(record.http.response.status_code, 499);
});
