import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AigwError, ERRORS } from '../../../runtime/errors.js';
import { envelopeStatus, isTranslatedError, toEnvelope } from '../../../runtime/openai/envelope.js';
import type { TranslatedError } from '../../../runtime/adapters/contract.js';

test('an AigwError becomes its OpenAI envelope with its status', () => {
  const error = new AigwError(ERRORS.UNSUPPORTED_PARAMETER, "Unsupported parameter: 'n'.", { param: 'n' });
  assert.deepEqual(toEnvelope(error), {
    error: { message: "Unsupported parameter: 'n'.", type: 'invalid_request_error', param: 'n', code: 'unsupported_parameter' },
  });
  assert.equal(envelopeStatus(error), 400);
});

test('a translated provider error keeps exactly the four envelope keys', () => {
  // A provider extra smuggled into the envelope object must not reach the client.
  const envelope = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded', innererror: { x: 1 } } };
  const error: TranslatedError = { status: 429, failoverClass: 'rate_limited', envelope, retryAfterMs: 2000 };
  assert.ok(isTranslatedError(error));
  assert.deepEqual(toEnvelope(error), { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  assert.deepEqual(Object.keys(toEnvelope(error).error), ['message', 'type', 'param', 'code']);
  assert.equal(envelopeStatus(error), 429);
});

test('an AigwError is not mistaken for a translated error', () => {
  assert.equal(isTranslatedError(new AigwError(ERRORS.INTERNAL, 'x')), false);
  assert.equal(isTranslatedError({ status: 500 }), false);
});
