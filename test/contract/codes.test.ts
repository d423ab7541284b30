/**
 * Codes are contracts (style §A.6, §I): every AIGW_E_* code is unique, has a summary, appears in the
 * README's error table with the same status and OpenAI code, and is asserted by at least one test.
 * (Rule ids get the same treatment in test/unit/lint/registry.test.ts.)
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERRORS } from '../../runtime/errors.js';
import { packagePath } from '../../runtime/package-root.js';

const definitions = Object.values(ERRORS);

function testSources(directory = packagePath('test')): string {
  let text = '';
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) text += testSources(path);
    else if (/\.test\.tsx?$/.test(entry.name) && !path.endsWith(join('contract', 'codes.test.ts'))) text += readFileSync(path, 'utf8');
  }
  return text;
}

test('every AIGW_E_* code and every OpenAI code is unique', () => {
  const codes = definitions.map((definition) => definition.code);
  assert.equal(new Set(codes).size, codes.length, 'duplicate AIGW_E_* code');
  const openaiCodes = definitions.map((definition) => definition.openaiCode);
  assert.equal(new Set(openaiCodes).size, openaiCodes.length, 'duplicate OpenAI code');
  for (const definition of definitions) {
    assert.match(definition.code, /^AIGW_E_[A-Z_]+$/);
    assert.ok(definition.summary.length > 10, `${definition.code} has no summary`);
  }
});

test('the README error table lists every code with its status and OpenAI code', () => {
  const readme = readFileSync(packagePath('README.md'), 'utf8');
  for (const definition of definitions) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${definition.code}\` |`));
    assert.ok(row !== undefined, `${definition.code} is missing from the README error table`);
    const cells = row.split('|').map((cell) => cell.trim());
    assert.equal(cells[2], definition.status === 0 ? 'in-band' : String(definition.status), `${definition.code}: README status`);
    assert.equal(cells[3], `\`${definition.openaiCode}\``, `${definition.code}: README OpenAI code`);
  }
});

test('every code is asserted by at least one test (by its AIGW_E_* name, its ERRORS key or its OpenAI code)', () => {
  const sources = testSources();
  const unexercised = Object.entries(ERRORS)
    .filter(([key, definition]) => !sources.includes(definition.code) && !sources.includes(`ERRORS.${key}`) && !sources.includes(`'${definition.openaiCode}'`))
    .map(([, definition]) => definition.code);
  assert.deepEqual(unexercised, [], `codes no test asserts: ${unexercised.join(', ')}`);
});
