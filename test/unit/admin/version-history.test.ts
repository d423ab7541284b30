/** The rollback history: last 10, a re-applied version moves to the end, previous and prefix lookup. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findVersion, previousVersion, recordVersion, type StoredManifest } from '../../../runtime/admin/version-history.js';

const entry = (version: string): StoredManifest => ({ version, text: `# ${version}`, storedAt: 0 });

test('keeps the last 10 versions, oldest first', () => {
  let entries: StoredManifest[] = [];
  for (let index = 0; index < 12; index += 1) entries = recordVersion(entries, entry(`v${index}`));
  assert.deepEqual(entries.map((item) => item.version), ['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10', 'v11']);
});

test('a version applied again moves to the end instead of appearing twice', () => {
  const entries = [entry('a'), entry('b'), entry('c')].reduce<StoredManifest[]>((list, item) => recordVersion(list, item), []);
  assert.deepEqual(recordVersion(entries, entry('a')).map((item) => item.version), ['b', 'c', 'a']);
});

test('previous is the version before the live one; none before the first', () => {
  assert.equal(previousVersion(['a', 'b', 'c'], 'c'), 'b');
  assert.equal(previousVersion(['a', 'b', 'c'], 'b'), 'a');
  assert.equal(previousVersion(['a'], 'a'), undefined);
  assert.equal(previousVersion(['a', 'b'], 'zzz'), 'b');
});

test('a version is found whole or by a unique prefix of 7+ hex digits', () => {
  const versions = ['abcdef0123', 'abcdef9999', '0123456789'];
  assert.deepEqual(findVersion(versions, '0123456789'), { type: 'found', version: '0123456789' });
  assert.deepEqual(findVersion(versions, '0123456'), { type: 'found', version: '0123456789' });
  assert.deepEqual(findVersion(versions, 'ABCDEF0'), { type: 'found', version: 'abcdef0123' });
  assert.equal(findVersion(versions, 'abcdef').type, 'none');
  assert.equal(findVersion(versions, 'abcdef9').type, 'found');
  assert.deepEqual(findVersion([...versions, 'abcdef0124'], 'abcdef012'), { type: 'ambiguous', matches: ['abcdef0123', 'abcdef0124'] });
});
