import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLineMap, describePointer, parentPointer, pointerOf } from '../../../runtime/manifest/positions.js';
import { parseYaml } from '../../../runtime/manifest/parse-yaml.js';

test('offsets map to 1-based line and column, CRLF included', () => {
  const map = createLineMap('ab\r\ncd\nef');
  assert.deepEqual(map(0), { line: 1, column: 1 });
  assert.deepEqual(map(4), { line: 2, column: 1 });
  assert.deepEqual(map(8), { line: 3, column: 2 });
});

test('pointers escape ~ and /, and read as the path a user writes', () => {
  assert.equal(pointerOf('providers', 'a/b~c', 0), '/providers/a~1b~0c/0');
  assert.equal(describePointer('/ai_routes/0/targets/1/weight'), 'ai_routes[0].targets[1].weight');
  assert.equal(describePointer('/providers/team.vllm/base_url'), 'providers["team.vllm"].base_url');
  assert.equal(describePointer(''), 'the manifest');
  assert.equal(parentPointer('/a/b'), '/a');
  assert.equal(parentPointer('/a'), '');
});

test('keys and values have their own positions; a pointer without a node falls back to its nearest ancestor key', () => {
  const { positions } = parseYaml('a:\n  b: [1, 2]\n  c: { d: x }\n', 'x');
  assert.deepEqual(positions.locate('/a/b', 'key'), { line: 2, column: 3 });
  assert.deepEqual(positions.locate('/a/b'), { line: 2, column: 6 });
  assert.deepEqual(positions.locate('/a/b/1'), { line: 2, column: 10 });
  assert.deepEqual(positions.locate('/a/c/d'), { line: 3, column: 11 });
  assert.deepEqual(positions.locate('/a/c/missing'), { line: 3, column: 3 });
  assert.deepEqual(positions.locate('/nowhere'), { line: 1, column: 1 });
  assert.deepEqual(positions.locateText('/a/c/d', 'x'), { line: 3, column: 11 });
});
