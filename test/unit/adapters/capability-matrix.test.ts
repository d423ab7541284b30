/**
 * The README's capability matrix is the generated one (AIGW_UPDATE_GOLDEN=1 rewrites it), and the
 * generator reads the same tables that produce the 400s.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { capabilityMatrix } from '../../../runtime/adapters/capability-matrix.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { chatRequest, makeTarget } from './native-adapter-harness.js';

const readme = join(new URL('../../../', import.meta.url).pathname, 'README.md');
const BLOCK = /(<!-- capability-matrix:start[^>]*-->\n)([\s\S]*?)(<!-- capability-matrix:end -->)/;

test('the README capability matrix matches the parameter tables', () => {
  const text = readFileSync(readme, 'utf8');
  const match = BLOCK.exec(text);
  assert.ok(match, 'README has the capability-matrix markers');
  const generated = `${capabilityMatrix()}\n`;
  if (process.env['AIGW_UPDATE_GOLDEN'] === '1' && process.env['CI'] !== 'true') {
    writeFileSync(readme, text.replace(BLOCK, (_, start: string, _old: string, end: string) => start + generated + end));
    return;
  }
  assert.equal(match[2], generated, 'README capability matrix is stale: run with AIGW_UPDATE_GOLDEN=1');
});

test('every ✗ in the matrix is a 400 from the adapter, every ✓ builds', () => {
  const lines = capabilityMatrix(['perplexity', 'mistral', 'openai']).split('\n');
  const row = (param: string): string[] => (lines.find((line) => line.startsWith(`| \`${param}\``)) ?? '').split('|').slice(2, 5).map((cell) => cell.trim());
  assert.deepEqual(row('tools'), ['✗', '✓', '✓']);
  assert.deepEqual(row('user'), ['✓', '✗', '✓']);
  const tool = { tools: [{ type: 'function', function: { name: 'f' } }] };
  assert.equal(getAdapter('perplexity').buildRequest(chatRequest(tool), makeTarget('perplexity', 'sonar', 'https://x.test')).ok, false);
  assert.equal(getAdapter('mistral').buildRequest(chatRequest({ user: 'u' }), makeTarget('mistral', 'm', 'https://x.test')).ok, false);
  assert.equal(getAdapter('openai').buildRequest(chatRequest({ ...tool, user: 'u' }), makeTarget('openai', 'm', 'https://x.test')).ok, true);
});
