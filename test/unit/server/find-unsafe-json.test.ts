/**
 * The structural check every request body passes before the schema: a depth bound (recursive code
 * downstream overflowed at a few thousand levels) and prototype keys, found in one iterative pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findUnsafeJson } from '../../../runtime/server/find-unsafe-json.js';

/** `levels` nested arrays, innermost empty: `[[[]]]` is 3. */
function arrays(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level += 1) value = [value];
  return value;
}

/** `levels` nested objects under key `k`: `{k:{k:{}}}` is 3. */
function objects(levels: number): unknown {
  let value: unknown = {};
  for (let level = 1; level < levels; level += 1) value = { k: value };
  return value;
}

test('nesting up to the bound passes; one level more is refused at the first level past it', () => {
  for (const build of [arrays, objects]) {
    assert.equal(findUnsafeJson(build(8), 8), undefined);
    const found = findUnsafeJson({ a: 1, deep: build(8) }, 8);
    assert.equal(found?.kind, 'too-deep');
    // The body is level 1 and `deep` level 2: the node at level 9 is the 8th segment.
    assert.equal(found?.path.length, 8);
    assert.equal(found?.path[0], 'deep');
    assert.deepEqual(new Set(found?.path.slice(1)), new Set([build === arrays ? 0 : 'k']));
  }
});

test('100 000 levels are refused without overflowing the stack (the walk is iterative)', () => {
  const deep = JSON.parse(`{"metadata":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
  const found = findUnsafeJson(deep, 128);
  assert.equal(found?.kind, 'too-deep');
  assert.equal(found?.path.length, 128);
  const deepObjects = JSON.parse(`${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as unknown;
  assert.equal(findUnsafeJson(deepObjects, 128)?.kind, 'too-deep');
});

test('wide bodies and scalars at the bound are fine: only containers count as levels', () => {
  const wide = { messages: Array.from({ length: 50_000 }, (_, index) => ({ role: 'user', content: [{ type: 'text', text: String(index) }] })) };
  assert.equal(findUnsafeJson(wide, 5), undefined);
  assert.equal(findUnsafeJson({ a: ['x', 1, null, true] }, 2), undefined);
  assert.equal(findUnsafeJson('text', 1), undefined);
  assert.equal(findUnsafeJson(null, 1), undefined);
});

test('the first hazard in document order is named', () => {
  const body = { a: [{ ok: 1 }, arrays(10)], b: arrays(10) };
  assert.deepEqual(findUnsafeJson(body, 4)?.path, ['a', 1, 0, 0]);
});

test('__proto__ (an own key, as JSON.parse makes it) and constructor.prototype are refused with their path', () => {
  const proto = JSON.parse('{"tools":[{"function":{"parameters":{"properties":{"__proto__":{"type":"string"}}}}}]}') as unknown;
  assert.deepEqual(findUnsafeJson(proto, 128), { kind: 'prototype-key', path: ['tools', 0, 'function', 'parameters', 'properties', '__proto__'] });
  const scalarProto = JSON.parse('{"x":{"__proto__":1}}') as unknown;
  assert.deepEqual(findUnsafeJson(scalarProto, 128), { kind: 'prototype-key', path: ['x', '__proto__'] });
  const constructor = JSON.parse('{"metadata":{"constructor":{"prototype":{"polluted":true}}}}') as unknown;
  assert.deepEqual(findUnsafeJson(constructor, 128), { kind: 'prototype-key', path: ['metadata', 'constructor', 'prototype'] });
});

test('a property named constructor (a tool schema may have one) is fine without a prototype inside', () => {
  const schema = JSON.parse('{"properties":{"constructor":{"type":"string"},"prototype":{"type":"string"}}}') as unknown;
  assert.equal(findUnsafeJson(schema, 128), undefined);
});
