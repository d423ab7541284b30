/** @jsxRuntime automatic @jsxImportSource react */
/** Presentational components rendered from fixed props (ink-testing-library lastFrame). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { ProgressBar } from '../../../cli/views/progress-bar.js';
import { ProviderTable } from '../../../cli/views/provider-table.js';
import { SimulateLiveView } from '../../../cli/views/simulate-live.js';
import { Sparkline, sparkline } from '../../../cli/views/sparkline.js';

test('the progress bar fills in proportion and shows counts', (t) => {
  const view = render(<ProgressBar done={25} total={100} width={20} />);
  t.after(() => view.unmount());
  assert.equal(view.lastFrame(), '█████░░░░░░░░░░░░░░░  25%  25/100');
});

test('the sparkline maps values onto eight bars', (t) => {
  assert.equal(sparkline([100, 200, 300, 400, 500, 600, 700, 800]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([]), '');
  const view = render(<Sparkline values={[100, 800]} />);
  t.after(() => view.unmount());
  assert.equal(view.lastFrame(), 'p95 latency ▁█ 800 ms');
});

test('the provider table shows share, counts and circuit state per provider/model', (t) => {
  const view = render(<ProviderTable rows={[
    { name: 'anthropic/claude-haiku-4-5', answered: 60, attempts: 70, failovers: 10, circuit: 'open' },
    { name: 'openai/gpt-4o-mini', answered: 40, attempts: 40, failovers: 0, circuit: 'closed' },
  ]} />);
  t.after(() => view.unmount());
  assert.equal(view.lastFrame(), [
    'provider/model                share  answered  attempts  failovers  circuit',
    'anthropic/claude-haiku-4-5    60.0%        60        70         10  open',
    'openai/gpt-4o-mini            40.0%        40        40          0  closed',
  ].join('\n'));
});

test('the root view composes progress, totals, table and sparkline', (t) => {
  const view = render(<SimulateLiveView state={{
    total: 100, done: 50, successes: 49, errors: 1, simulatedMs: 90_000, finished: false, trend: [400, 500],
    providers: [{ name: 'openai/gpt-4o-mini', answered: 49, attempts: 52, failovers: 3, circuit: 'half-open' }],
  }} />);
  t.after(() => view.unmount());
  const frame = view.lastFrame() ?? '';
  assert.match(frame, /^simulating ███████████████░░░░░░░░░░░░░░░  50%  50\/100/);
  assert.match(frame, /virtual time 1m 30s · success 98\.00% · errors 1/);
  assert.match(frame, /openai\/gpt-4o-mini\s+100\.0%\s+49\s+52\s+3\s+half-open/);
  assert.match(frame, /p95 latency ▁█ 500 ms/);
});
