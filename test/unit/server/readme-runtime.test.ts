/**
 * The README `runtime` section stays true to the code: its settings table is exactly the one
 * settings.ts generates, and every gateway metric and runtime error code it should name is named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERRORS } from '../../../runtime/errors.js';
import { createGatewayMetrics } from '../../../runtime/metrics.js';
import { settingsTable } from '../../../runtime/server/settings.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('<!-- section:runtime ');
const section = readme.slice(start, readme.indexOf('<!-- /section:runtime -->'));

test('the README settings table is the one settings.ts generates (regenerate with settingsTable())', () => {
  assert.ok(start !== -1);
  assert.ok(section.includes(settingsTable()), `README runtime section must contain:\n${settingsTable()}`);
});

test('every gateway metric is documented in the README', async () => {
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
  for (const name of names.filter((metric) => metric !== 'aigw_config_reloads_total')) assert.ok(section.includes(`\`${name}\``), name);
});

test('every client-facing runtime error code is in the README error table', () => {
  const runtime = ['INVALID_JSON', 'INVALID_REQUEST', 'UNSUPPORTED_PARAMETER', 'UNAUTHENTICATED', 'ROUTE_FORBIDDEN', 'MODEL_NOT_FOUND',
    'BODY_TOO_LARGE', 'QUOTA_EXCEEDED', 'ALL_ATTEMPTS_FAILED', 'SHUTTING_DOWN', 'TIMEOUT', 'STREAM_INTERRUPTED'] as const;
  for (const key of runtime) assert.ok(section.includes(`\`${ERRORS[key].openaiCode}\``), ERRORS[key].openaiCode);
});
