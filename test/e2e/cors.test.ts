/**
 * CORS (AIGW_CORS_ORIGINS): off by default — no CORS header, a preflight is the 404 of any unknown
 * OPTIONS —; on, an allowed origin's preflight gets 204 with what the browser asked for, and every
 * answer it can get (the 401 of the key check included) carries the origin and the headers it may read.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { resolveSettings, SettingsError } from '../../runtime/server/settings.js';
import type { RunningMock } from '../../runtime/mock/start-mock.js';
import { mockProviders, startTestGateway, startTestMock, suiteScope, type GatewayHandle } from './helpers/gateway-harness.js';

const KEY = 'cors-test-key';
const APP = 'https://app.example.com';

function manifest(mockUrl: string): string {
  return `
${mockProviders(mockUrl, { openai: 'openai' })}
credentials:
  - id: browser-app
    key_sha256: "${createHash('sha256').update(KEY).digest('hex')}"
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets: [ { provider: openai, model: gpt-4o-mini } ]
`;
}

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-stainless-os' },
  });
}

function chat(url: string, origin: string, key?: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
  });
}

describe('CORS', () => {
  const scope = suiteScope(after);
  let mock: RunningMock;
  let closed: GatewayHandle;
  let listed: GatewayHandle;
  let any: GatewayHandle;
  before(async () => {
    mock = await startTestMock(scope);
    closed = await startTestGateway(scope, manifest(mock.url), { apiKey: KEY });
    listed = await startTestGateway(scope, manifest(mock.url), { apiKey: KEY, settings: { corsOrigins: `${APP}, http://localhost:5173/` } });
    any = await startTestGateway(scope, manifest(mock.url), { apiKey: KEY, settings: { corsOrigins: '*' } });
  });

  test('off by default: a preflight is a 404 in the envelope, and answers carry no CORS header', async () => {
    const answer = await preflight(closed.url, APP);
    assert.equal(answer.status, 404);
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'unknown_url');
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    const response = await chat(closed.url, APP, KEY);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  test('an allowed origin\'s preflight: 204 with the methods, the headers it asked for, a max age', async () => {
    const answer = await preflight(listed.url, APP);
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), APP);
    assert.equal(answer.headers.get('access-control-allow-methods'), 'GET, POST');
    assert.equal(answer.headers.get('access-control-allow-headers'), 'authorization,content-type,x-stainless-os');
    assert.equal(answer.headers.get('access-control-max-age'), '600');
    assert.match(answer.headers.get('vary') ?? '', /Origin/);
    assert.equal(await answer.text(), '');
    // The origin as written in the setting with a trailing slash, and in another letter case, matches too.
    assert.equal((await preflight(listed.url, 'http://localhost:5173')).status, 204);
    assert.equal((await preflight(listed.url, 'HTTPS://APP.EXAMPLE.COM')).headers.get('access-control-allow-origin'), 'HTTPS://APP.EXAMPLE.COM');
  });

  test('another origin gets no CORS header: its preflight is the 404, its request is answered without', async () => {
    const answer = await preflight(listed.url, 'https://evil.example.com');
    assert.equal(answer.status, 404);
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    const response = await chat(listed.url, 'https://evil.example.com', KEY);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.match(response.headers.get('vary') ?? '', /Origin/);
  });

  test('an allowed origin reads the answer and its headers, and the 401 of a missing key too', async () => {
    const response = await chat(listed.url, APP, KEY);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(', ');
    for (const name of ['x-request-id', 'x-aigw-route', 'x-aigw-provider', 'retry-after', 'x-should-retry']) assert.ok(exposed.includes(name), name);
    const refused = await chat(listed.url, APP);
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'invalid_api_key');
  });

  test('an OPTIONS request that is not a preflight is still the 404', async () => {
    const answer = await fetch(`${listed.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: APP } });
    assert.equal(answer.status, 404);
  });

  test('* allows any origin (the answer says *, not the origin)', async () => {
    const answer = await preflight(any.url, 'https://anywhere.example.org');
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    const response = await chat(any.url, 'https://anywhere.example.org', KEY);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });

  test('a setting that is not a list of origins is refused at start, naming the variable', () => {
    for (const bad of ['app.example.com', 'https://app.example.com/path', 'https://a.example.com https://b.example.com']) {
      assert.throws(() => resolveSettings({}, { AIGW_CORS_ORIGINS: bad }, 'routes.yaml'), (error: unknown) => error instanceof SettingsError && /AIGW_CORS_ORIGINS/.test(error.message), bad);
    }
    assert.equal(resolveSettings({}, { AIGW_CORS_ORIGINS: `${APP},http://localhost:5173` }, 'routes.yaml').corsOrigins, `${APP},http://localhost:5173`);
  });
});
