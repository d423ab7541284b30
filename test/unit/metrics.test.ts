import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGatewayMetrics } from '../../runtime/metrics.js';

/** The exposition text of the four counters the request path feeds through cells. */
async function countersText(metrics: ReturnType<typeof createGatewayMetrics>): Promise<string> {
  const parts = await Promise.all([metrics.requests, metrics.attempts, metrics.tokens, metrics.failovers, metrics.malformedEvents]
    .map((counter) => metrics.registry.getSingleMetricAsString((counter as unknown as { name: string }).name)));
  return parts.join('\n');
}

test('counting through cells gives the series and values of prom-client increments, across several reads', async () => {
  const cells = createGatewayMetrics({ defaultMetrics: false });
  const direct = createGatewayMetrics({ defaultMetrics: false });
  const steps: [keyof typeof cells.counts, string[], number | undefined][] = [
    ['requests', ['chat', '200', 'false', 'success'], undefined],
    ['requests', ['chat', '200', 'true', 'interrupted'], undefined],
    ['attempts', ['openai', 'gpt-4o', 'success', 'none'], undefined],
    ['tokens', ['openai', 'gpt-4o', 'prompt'], 12],
    ['tokens', ['openai', 'gpt-4o', 'completion'], 0],
    ['failovers', ['anthropic', 'rate_limited'], undefined],
    ['malformedEvents', ['openai'], 3],
    ['requests', ['chat', '200', 'false', 'success'], undefined],
  ];
  const labelNames = {
    requests: ['route', 'status', 'stream', 'outcome'], attempts: ['provider', 'model', 'outcome', 'reason'],
    tokens: ['provider', 'model', 'kind'], failovers: ['provider', 'reason'], malformedEvents: ['provider'],
  } as const;
  for (const [round, slice] of [[0, steps.slice(0, 5)], [1, steps.slice(5)], [2, []]] as const) {
    for (const [name, values, amount] of slice) {
      cells.counts[name].inc(values, amount);
      const labels = Object.fromEntries(labelNames[name].map((label, index) => [label, values[index]]));
      (direct[name] as unknown as { inc(labels: Record<string, string | undefined>, value?: number): void }).inc(labels, amount);
    }
    assert.equal(await countersText(cells), await countersText(direct), `read ${round}`);
  }
  assert.match(await countersText(cells), /aigw_tokens_total\{provider="openai",model="gpt-4o",kind="completion"\} 0/, 'a series first counted with 0 is there');
  assert.match(await countersText(cells), /aigw_requests_total\{route="chat",status="200",stream="false",outcome="success"\} 2/);
});

test('a counter cell refuses what prom-client refuses, at the call', () => {
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  assert.throws(() => metrics.counts.tokens.inc(['p', 'm', 'prompt'], Number.NaN), TypeError);
  assert.throws(() => metrics.counts.tokens.inc(['p', 'm', 'prompt'], -1), /decrease/);
});

test('request duration buckets reach 10 minutes, so long streams do not all land in +Inf', async () => {
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  metrics.requestDuration.observe({ route: 'r', stream: 'true' }, 200);
  const text = await metrics.registry.metrics();
  assert.match(text, /aigw_request_duration_seconds_bucket\{le="300",route="r",stream="true"\} 1/);
  assert.match(text, /aigw_request_duration_seconds_bucket\{le="120",route="r",stream="true"\} 0/);
});
