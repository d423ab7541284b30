/**
 * Atomic swap under load (issue 7 item 3): the gateway (startGateway) serves stream and non-stream
 * requests from the official `openai` SDK (retries off) while 20 signed reloads through the admin
 * plane alternate two manifests that route the same model to different providers. Zero client
 * requests fail; every stream comes from one provider from first chunk to last; every audit record
 * names a route of the manifest version it carries; and a request during which no swap happened ran
 * on the version that was live when it was sent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SigningKey } from '../../runtime/admin/admin-keys.js';
import { signAdminRequest } from '../../runtime/admin/sign-request.js';
import { startAdminPlane } from '../../runtime/admin/start-admin-plane.js';
import { realClock } from '../../runtime/clock.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { demoOverlay } from '../../runtime/server/demo-overlay.js';
import { mockProviders, onClose, startTestGateway, startTestMock } from './helpers/gateway-harness.js';

const RELOADS = 20;
const WORKERS = 6;

function manifests(mockUrl: string): { alpha: string; beta: string } {
  const providers = mockProviders(mockUrl, { openai: 'openai', anthropic: 'anthropic' });
  return {
    alpha: `${providers}\nai_routes:\n  - name: alpha\n    match: { model: "gpt-4o-mini" }\n    targets:\n      - { provider: openai, model: gpt-4o-mini-2024-07-18 }\n`,
    beta: `${providers}\nai_routes:\n  - name: beta\n    match: { model: "gpt-4o-mini" }\n    targets:\n      - { provider: anthropic, model: claude-haiku-4-5 }\n`,
  };
}

const ROUTE_PROVIDER: Readonly<Record<string, string>> = { alpha: 'openai', beta: 'anthropic' };

interface Sent {
  readonly id: string;
  readonly stream: boolean;
  /** Swap count and live version when sent, and swap count when the last byte arrived. */
  readonly swapsBefore: number;
  readonly versionBefore: string;
  swapsAfter: number;
  /** The model each chunk (or the completion) named. */
  models: string[];
}

test('20 reloads under a steady stream and non-stream load: no failed request, no mixed snapshot', async (t) => {
  const mock = await startTestMock(t, { speed: 4 });
  const { alpha, beta } = manifests(mock.url);
  const versions = { alpha: manifestVersion(loadManifest({ text: alpha, file: 'a' }, { env: {} }).document), beta: manifestVersion(loadManifest({ text: beta, file: 'b' }, { env: {} }).document) };
  const routesOf = new Map([[versions.alpha, 'alpha'], [versions.beta, 'beta']]);
  const handle = await startTestGateway(t, alpha);
  const key: SigningKey = { keyId: 'e2e', scheme: 'AIGW-HMAC-SHA256', secret: randomBytes(32) };
  const admin = await startAdminPlane({
    settings: { adminKeys: `e2e:hmac:${key.secret.toString('base64')}`, adminKeysFile: undefined, adminHost: '127.0.0.1', adminPort: 0, redisUrl: undefined, redisPrefix: 'aigw', watch: false, manifest: undefined },
    holder: handle.gateway.config,
    liveText: await readFile(`${handle.directory}/routes.yaml`, 'utf8'),
    env: {}, clock: realClock, logger: handle.gateway.app.log, replicaId: 'e2e',
    // Providers already point at the mock; the overlay is what serve --demo would pass.
    transformManifest: (manifest) => (handle.gateway.mockUrl === undefined ? manifest : demoOverlay(manifest, handle.gateway.mockUrl)),
  });
  onClose(t, () => admin.close());

  const liveVersions = [handle.gateway.config.current().version];
  handle.gateway.config.onSwap((next) => liveVersions.push(next.version));

  let stop = false;
  let sequence = 0;
  const sent: Sent[] = [];
  const failures: string[] = [];
  const worker = async (index: number): Promise<void> => {
    while (!stop) {
      const stream = (index + sequence) % 2 === 0;
      const record: Sent = { id: `reload-e2e-${sequence += 1}`, stream, swapsBefore: liveVersions.length - 1, versionBefore: handle.gateway.config.current().version, swapsAfter: -1, models: [] };
      sent.push(record);
      const options = { headers: { 'x-request-id': record.id } };
      try {
        if (stream) {
          const chunks = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], stream: true }, options);
          for await (const chunk of chunks) record.models.push(chunk.model);
        } else {
          const completion = await handle.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }, options);
          record.models.push(completion.model);
        }
      } catch (error) {
        failures.push(`${record.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      record.swapsAfter = liveVersions.length - 1;
    }
  };
  const load = Array.from({ length: WORKERS }, (_, index) => worker(index));

  const reloadResults: number[] = [];
  await sleep(100);
  for (let reload = 1; reload <= RELOADS; reload += 1) {
    const body = reload % 2 === 1 ? beta : alpha;
    const headers = signAdminRequest({ method: 'POST', pathAndQuery: '/admin/reload', body, timestamp: Math.floor(Date.now() / 1000) }, key);
    const response = await fetch(`${admin.url}/admin/reload`, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/yaml' } });
    reloadResults.push(response.status);
    await sleep(40);
  }
  await sleep(100);
  stop = true;
  await Promise.all(load);

  assert.deepEqual(reloadResults, Array(RELOADS).fill(200));
  assert.equal(liveVersions.length, RELOADS + 1);
  assert.deepEqual(failures, [], 'no client request failed');
  assert.ok(sent.length >= 40, `a steady load (${sent.length} requests)`);

  const records = new Map((await handle.auditRecords()).map((record) => [record.http.request.id, record]));
  let spanned = 0;
  for (const request of sent) {
    const record = records.get(request.id);
    assert.ok(record, `an audit record for ${request.id}`);
    const version = String((record.aigw as { readonly manifest_version?: string }).manifest_version);
    const route = record.aigw.route ?? '';
    assert.equal(routesOf.get(version), route, `${request.id}: route ${route} belongs to version ${version.slice(0, 12)}`);
    assert.equal(record.aigw.provider, ROUTE_PROVIDER[route], `${request.id}: provider of route ${route}`);
    assert.equal(record.http.response.status_code, 200);
    // One snapshot from first byte to last: every chunk names the same model.
    assert.equal(new Set(request.models).size, 1, `${request.id}: models ${request.models.join(',')}`);
    // The version it ran on was live at some point while it was in flight…
    assert.ok(liveVersions.slice(request.swapsBefore, request.swapsAfter + 1).includes(version), `${request.id} ran on a version live during its flight`);
    // …and with no swap during its flight, it is the version live when it was sent.
    if (request.swapsAfter === request.swapsBefore) assert.equal(version, request.versionBefore, request.id);
    if (request.stream && request.swapsAfter > request.swapsBefore) spanned += 1;
  }
  assert.ok(spanned > 0, 'some streams were in flight across a swap');
  t.diagnostic(`${sent.length} requests, ${spanned} streams spanned a swap`);
});
