/**
 * Rule ids are a contract (style §A.6, §I.3): unique, well-formed, documented in the README table
 * (generated from the registry), and exercised by at least one test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../../runtime/lint/registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const START = '<!-- rule-table:start -->\n';
const END = '<!-- rule-table:end -->';

function ruleTable(): string {
  const rows = RULES.map((rule) => `| \`${rule.id}\` | ${rule.severity} | ${rule.summary.replace(/\|/g, '\\|')} | ${rule.hint.replace(/\|/g, '\\|')} |`);
  return ['| Rule id | Severity | Summary | Fix |', '|---|---|---|---|', ...rows, ''].join('\n');
}

test('rule ids are unique, family/kebab-name, with a severity, a summary and a hint', () => {
  const ids = RULES.map((rule) => rule.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of RULES) {
    assert.match(rule.id, /^[a-z]+\/[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
    assert.ok(rule.severity === 'error' || rule.severity === 'warning');
    assert.ok(rule.summary.endsWith('.') && rule.hint.length > 10, rule.id);
  }
  for (const required of ['yaml/syntax', 'yaml/duplicate-key', 'yaml/alias-limit', 'yaml/too-deep', 'yaml/too-large', 'yaml/not-utf8', 'yaml/empty',
    'schema/unknown-key', 'schema/type', 'schema/required', 'schema/enum', 'schema/format', 'env/missing-variable',
    'provider/unknown-id', 'provider/literal-secret', 'provider/unused', 'route/duplicate-name', 'route/unreachable', 'route/weights-all-zero',
    'route/weight-invalid', 'route/fallback-format', 'route/fallback-repeats-target', 'route/latency-exceeds-timeout',
    'credential/bad-key-hash', 'credential/unknown-route', 'credential/none']) {
    assert.ok((ids as readonly string[]).includes(required), `style §I.3 requires ${required}`);
  }
  const warnings = RULES.filter((rule) => rule.severity === 'warning').map((rule) => rule.id).sort();
  assert.deepEqual(warnings, ['audit/quadratic-redact-pattern', 'credential/none', 'credential/quota-below-request', 'provider/literal-secret', 'provider/unused', 'route/duplicate-target']);
});

test('the README rule table is the registry (AIGW_UPDATE_GOLDEN=1 rewrites it)', () => {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  assert.ok(start !== -1 && end > start, 'README has the rule-table markers');
  const current = readme.slice(start + START.length, end);
  if (process.env['AIGW_UPDATE_GOLDEN'] === '1' && current !== ruleTable()) {
    writeFileSync(readmePath, readme.slice(0, start + START.length) + ruleTable() + readme.slice(end));
    return;
  }
  assert.equal(current, ruleTable());
});

test('every rule id is exercised by a test or the bad corpus', () => {
  const sources: string[] = [];
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.test\.tsx?$/.test(name) || name === 'expected.json') sources.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'test'));
  const text = sources.join('\n');
  // This file lists the required ids itself; strip it so it cannot satisfy the check alone.
  const self = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const others = text.replace(self, '');
  for (const rule of RULES) assert.ok(others.includes(`'${rule.id}'`) || others.includes(`"${rule.id}"`), `${rule.id} is not asserted by any test`);
});
