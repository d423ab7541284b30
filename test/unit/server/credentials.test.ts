import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { AigwError } from '../../../runtime/errors.js';
import { authenticate, authorizeRoute } from '../../../runtime/server/plugins/credentials.js';
import { liveConfig } from './app-harness.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const config = liveConfig(`
credentials:
  - { id: alpha, key_sha256: "${sha256('sk-alpha')}" }
  - { id: beta, key_sha256: "${sha256('sk-beta').toUpperCase()}", routes: [ chat ] }
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
  - { name: other, match: { model: "other" }, targets: [ { provider: openai, model: gpt-4o } ] }
`);

function rejects(action: () => unknown, code: string): AigwError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof AigwError);
    assert.equal(error.code, code);
    return error;
  }
  throw new assert.AssertionError({ message: `expected ${code}` });
}

test('a bearer key is matched by its sha256 (upper-case hex in the manifest too), scheme case-insensitive', () => {
  assert.equal(authenticate('Bearer sk-alpha', config)?.id, 'alpha');
  assert.equal(authenticate('bearer   sk-beta ', config)?.id, 'beta');
});

test('a missing, malformed or unknown key is a 401 that never echoes the key', () => {
  for (const header of [undefined, '', 'Bearer', 'Basic c2stYWxwaGE=', 'sk-alpha', 'Bearer sk-alpha extra']) {
    rejects(() => authenticate(header, config), 'AIGW_E_UNAUTHENTICATED');
  }
  const unknown = rejects(() => authenticate('Bearer sk-gamma-secret', config), 'AIGW_E_UNAUTHENTICATED');
  assert.equal(unknown.status, 401);
  assert.equal(unknown.toEnvelope().error.code, 'invalid_api_key');
  assert.ok(!JSON.stringify(unknown.toEnvelope()).includes('sk-gamma-secret'));
});

test('without credentials in the manifest the gateway is open: no key needed, no credential', () => {
  assert.equal(authenticate(undefined, liveConfig()), undefined);
  assert.equal(authenticate('Bearer anything', liveConfig()), undefined);
});

test('a route allow-list is enforced with a 403 route_not_allowed; no list allows every route', () => {
  const beta = authenticate('Bearer sk-beta', config);
  authorizeRoute(beta, 'chat');
  const forbidden = rejects(() => authorizeRoute(beta, 'other'), 'AIGW_E_ROUTE_FORBIDDEN');
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.toEnvelope().error.code, 'route_not_allowed');
  authorizeRoute(authenticate('Bearer sk-alpha', config), 'other');
  authorizeRoute(undefined, 'other');
});

test('among 5 000 credentials each key finds its own, an unknown one none', () => {
  const keys = Array.from({ length: 5_000 }, (_, index) => `sk-app-${index}`);
  const many = liveConfig(`credentials:\n${keys.map((key, index) => `  - { id: app-${index}, key_sha256: "${sha256(key)}" }`).join('\n')}
ai_routes:
  - { name: chat, match: { model: "gpt-4o-mini" }, targets: [ { provider: openai, model: gpt-4o-mini } ] }
`);
  for (const index of [0, 2_222, 4_999]) assert.equal(authenticate(`Bearer ${keys[index]}`, many)?.id, `app-${index}`);
  rejects(() => authenticate('Bearer sk-app-5000', many), 'AIGW_E_UNAUTHENTICATED');
});
