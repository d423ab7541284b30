import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_TYPES } from '../../../runtime/adapters/contract.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';

test('every provider type resolves to one frozen adapter instance of that type', () => {
  for (const type of PROVIDER_TYPES) {
    const adapter = getAdapter(type);
    assert.equal(adapter.type, type);
    assert.equal(getAdapter(type), adapter, 'the same instance every time');
    assert.ok(Object.isFrozen(adapter), `${type} adapter is frozen`);
  }
});

test('a second lookup cannot be used to swap an adapter', () => {
  const adapter = getAdapter('openai');
  assert.throws(() => Object.assign(adapter, { supportsPrefill: true }), TypeError);
});
