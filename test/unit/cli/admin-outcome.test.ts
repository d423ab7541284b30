/**
 * A 422 from the admin plane prints its diagnostics as `aigw validate` does; the body crossed the
 * network, so entries without the Diagnostic shape are left out instead of crashing the CLI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderValidation } from '../../../cli/admin-outcome.js';
import { createTestIo } from '../../helpers/io.js';

const diagnostic = {
  ruleId: 'route/weight-invalid', severity: 'error', message: 'weight must be a non-negative integer',
  file: 'routes.yaml', line: 3, column: 5, hint: 'use 0 or a positive integer',
};

test('a 422 prints its diagnostics with file:line:col and rule id', () => {
  const io = createTestIo();
  renderValidation({ status: 422, body: { validation: { diagnostics: [diagnostic] } } }, io);
  assert.match(io.err(), /routes\.yaml:3:5 error route\/weight-invalid weight must be a non-negative integer/);
});

test('entries without the Diagnostic shape are left out; a body of only those prints nothing', () => {
  const io = createTestIo();
  const junk = [null, 'text', { ruleId: 1 }, { ...diagnostic, line: '3' }, { ...diagnostic, severity: 'fatal' }];
  assert.doesNotThrow(() => renderValidation({ status: 422, body: { validation: { diagnostics: [...junk, diagnostic] } } }, io));
  assert.equal(io.err().match(/route\/weight-invalid/g)?.length, 1);
  const empty = createTestIo();
  assert.doesNotThrow(() => renderValidation({ status: 422, body: { validation: { diagnostics: junk } } }, empty));
  assert.equal(empty.err(), '');
});
