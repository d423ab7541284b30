/**
 * Every *_ms manifest field ends in a setTimeout, which fires at once for anything above 2³¹−1 ms
 * (TimeoutOverflowWarning): serve answered every request with 504 in about 12 ms while simulate,
 * on its virtual clock, reported 100 % success (review finding 2). The schema caps them, so validate
 * (and /admin/reload) refuse such a manifest with schema/range at the value's line:col.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../../cli/io.js';
import { main } from '../../../cli/main.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import { createTestIo } from '../../helpers/io.js';

/** The longest delay Node's setTimeout honours. */
const MAX_TIMER_MS = 2_147_483_647;

/** One route with the field under test on line 4. */
const CASES: readonly { readonly field: string; readonly yaml: (value: number) => string; readonly pointer: string }[] = [
  { field: 'timeout_ms', pointer: 'ai_routes[0].timeout_ms', yaml: (value) => `    timeout_ms: ${value}\n` },
  { field: 'stream_idle_timeout_ms', pointer: 'ai_routes[0].stream_idle_timeout_ms', yaml: (value) => `    stream_idle_timeout_ms: ${value}\n` },
  { field: 'retry.backoff_ms', pointer: 'ai_routes[0].retry.backoff_ms', yaml: (value) => `    retry: { backoff_ms: ${value} }\n` },
  { field: 'retry.max_retry_after_ms', pointer: 'ai_routes[0].retry.max_retry_after_ms', yaml: (value) => `    retry: { max_retry_after_ms: ${value} }\n` },
  { field: 'targets[].max_latency_ms', pointer: 'ai_routes[0].targets[0].max_latency_ms', yaml: (value) => `    targets: [{ provider: openai, model: gpt-4o-mini, max_latency_ms: ${value} }]\n` },
];

function manifest(line: string): string {
  const targets = line.includes('targets:') ? '' : '    targets: [{ provider: openai, model: gpt-4o-mini }]\n';
  return `ai_routes:\n  - name: chat\n    match: { model: gpt-4o-mini }\n${line}${targets}`;
}

for (const { field, yaml, pointer } of CASES) {
  test(`${field} above ${MAX_TIMER_MS} ms is schema/range at its line:col; ${MAX_TIMER_MS} itself is accepted`, () => {
    const line = yaml(MAX_TIMER_MS + 1);
    const column = line.indexOf(String(MAX_TIMER_MS + 1)) + 1;
    const over = loadManifest({ text: manifest(line), file: 'routes.yaml' }, { env: {} });
    assert.equal(over.manifest, undefined);
    const ranges = over.diagnostics.filter((diagnostic) => diagnostic.ruleId === 'schema/range');
    assert.deepEqual(ranges.map(({ line, column: at, message }) => ({ line, column: at, message })), [
      { line: 4, column, message: `${pointer} must be <= ${MAX_TIMER_MS}, not number ${MAX_TIMER_MS + 1}` },
    ]);

    const limit = loadManifest({ text: manifest(yaml(MAX_TIMER_MS)), file: 'routes.yaml' }, { env: {} });
    assert.deepEqual(limit.diagnostics.filter((diagnostic) => diagnostic.ruleId.startsWith('schema/')), []);
  });
}

test('aigw validate refuses timeout_ms: 3000000000 with file:line:col, the rule id and exit 1', async () => {
  const io = createTestIo({ stdin: manifest('    timeout_ms: 3000000000\n') });
  assert.equal(await main(['validate', '-'], io), ExitCode.Findings);
  assert.match(io.out(), /^<stdin>:4:17 error schema\/range ai_routes\[0\]\.timeout_ms must be <= 2147483647, not number 3000000000$/m);
});
