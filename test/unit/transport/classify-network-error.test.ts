import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyNetworkError } from '../../../runtime/transport/classify-network-error.js';
import { TransportError } from '../../../runtime/transport/transport.js';

function systemError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code} happened`), { code }, extra);
}

const cases: readonly { name: string; error: unknown; failure: string; code: string }[] = [
  { name: 'refused', error: systemError('ECONNREFUSED'), failure: 'connect', code: 'ECONNREFUSED' },
  { name: 'undici connect timeout', error: systemError('UND_ERR_CONNECT_TIMEOUT'), failure: 'connect', code: 'UND_ERR_CONNECT_TIMEOUT' },
  { name: 'unreachable host', error: systemError('EHOSTUNREACH'), failure: 'connect', code: 'EHOSTUNREACH' },
  { name: 'reset', error: systemError('ECONNRESET'), failure: 'reset', code: 'ECONNRESET' },
  { name: 'undici socket error', error: systemError('UND_ERR_SOCKET'), failure: 'reset', code: 'UND_ERR_SOCKET' },
  { name: 'broken pipe', error: systemError('EPIPE'), failure: 'reset', code: 'EPIPE' },
  { name: 'unknown host', error: systemError('ENOTFOUND'), failure: 'dns', code: 'ENOTFOUND' },
  { name: 'resolver unavailable', error: systemError('EAI_AGAIN'), failure: 'dns', code: 'EAI_AGAIN' },
  { name: 'bad certificate name', error: systemError('ERR_TLS_CERT_ALTNAME_INVALID'), failure: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
  { name: 'self-signed', error: systemError('DEPTH_ZERO_SELF_SIGNED_CERT'), failure: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  { name: 'expired certificate', error: systemError('CERT_HAS_EXPIRED'), failure: 'tls', code: 'CERT_HAS_EXPIRED' },
  { name: 'ssl protocol', error: systemError('ERR_SSL_WRONG_VERSION_NUMBER'), failure: 'tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER' },
  { name: 'precise cause under a generic wrapper', error: systemError('UND_ERR_SOCKET', { cause: systemError('ECONNRESET') }), failure: 'reset', code: 'ECONNRESET' },
  { name: 'happy-eyeballs aggregate', error: Object.assign(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'all failed')), failure: 'connect', code: 'ECONNREFUSED' },
  { name: 'unknown code', error: systemError('EWHATEVER'), failure: 'other', code: 'EWHATEVER' },
  { name: 'no code at all', error: new Error('odd'), failure: 'other', code: 'UNKNOWN' },
];

for (const item of cases) {
  test(`before the response, ${item.name} is classified as ${item.failure} by its code`, () => {
    const error = classifyNetworkError(item.error, true);
    assert.ok(error instanceof TransportError);
    assert.equal(error.failure, item.failure);
    assert.equal(error.code, item.code);
    assert.equal(error.beforeResponse, true);
    assert.equal(error.cause, item.error);
  });
}

test('any break while reading the body is a body failure, whatever its code', () => {
  for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND']) {
    const error = classifyNetworkError(systemError(code), false);
    assert.equal(error.failure, 'body');
    assert.equal(error.beforeResponse, false);
    assert.equal(error.code, code);
  }
});

test('a TransportError passes through unchanged', () => {
  const original = new TransportError('x', { failure: 'auth', code: 'AIGW_CREDENTIAL_MISSING', beforeResponse: true });
  assert.equal(classifyNetworkError(original, true), original);
});
