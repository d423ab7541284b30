/**
 * A redirect from a provider is never followed (it would send the gateway's key to another host) and
 * is not the client's fault: every adapter classes it `target_unavailable` (a 502 in the gateway's
 * words, failed over, counted against the circuit), not `client_error` (returned to the client as is,
 * no failover, counted as a success).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { healthVerdict, reasonOf } from '../../../runtime/routing/classify-outcome.js';

test('every adapter classes a 3xx as target_unavailable: failed over and counted against the circuit', () => {
  for (const type of PROVIDER_TYPES) {
    for (const status of [301, 302, 307, 308]) {
      const error = getAdapter(type).parseError(status, { location: 'https://elsewhere.example/v1' }, '<html>Moved</html>');
      assert.equal(error.failoverClass, 'target_unavailable', `${type} ${status}`);
      assert.equal(error.status, 502, `${type} ${status}`);
      assert.match(error.envelope.error.message, /redirect/, `${type} ${status}`);
      assert.equal(healthVerdict(reasonOf({ kind: 'upstream', status, error })), 'failure');
    }
  }
});
