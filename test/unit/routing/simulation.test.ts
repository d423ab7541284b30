/**
 * Issue 5 item 6: the routing semantics pinned through the whole stack — the real engine, the real
 * adapters and the recorded fixtures through the fixture transport — on the virtual clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSimulation, type SimulationEvent } from '../../../cli/simulate/driver.js';
import { loadScenario, type Scenario } from '../../../cli/simulate/scenario.js';
import { percentiles, type SimulationSummary, type TargetSummary } from '../../../cli/simulate/statistics.js';
import { createVirtualScheduler } from '../../../cli/simulate/virtual-scheduler.js';
import { createLiveState, reduceLiveState } from '../../../cli/views/live-state.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { loadManifest } from '../../../runtime/manifest/load-manifest.js';
import type { Manifest } from '../../../runtime/manifest/types.js';
import { loadFixtureIndex } from '../../../runtime/mock/fixture-index.js';
import type { EngineResult } from '../../../runtime/routing/types.js';
import { SEED_MANIFEST as SEED } from './seed.js';

const fixtures = loadFixtureIndex();


function manifestOf(text: string): Manifest {
  const loaded = loadManifest({ text, file: 'routes.yaml' }, { env: {}, allowMissingEnv: true });
  assert.ok(loaded.manifest, JSON.stringify(loaded.diagnostics));
  return loaded.manifest;
}

function scenarioOf(text: string): Scenario {
  const loaded = loadScenario({ text, file: 'scenario.yaml' });
  assert.ok(loaded.scenario, JSON.stringify(loaded.diagnostics));
  return loaded.scenario;
}

interface Run {
  readonly summary: SimulationSummary;
  readonly results: { readonly result: EngineResult; readonly endedAt: number }[];
  readonly events: { readonly event: SimulationEvent; readonly at: number }[];
}

async function simulate(manifestText: string, scenarioText: string): Promise<Run> {
  const clock = createVirtualScheduler();
  const results: Run['results'] = [];
  const events: Run['events'] = [];
  const summary = await runSimulation({
    manifest: manifestOf(manifestText),
    scenario: scenarioOf(scenarioText),
    fixtures,
    getAdapter,
    clock,
    listener: (event) => {
      events.push({ event, at: clock.monotonic() });
      if (event.type === 'request-end') results.push({ result: event.result, endedAt: clock.monotonic() });
    },
  });
  return { summary, results, events };
}

function target(summary: SimulationSummary, provider: string): TargetSummary {
  const found = summary.routes[0]?.targets.find((candidate) => candidate.provider === provider);
  assert.ok(found, `no target ${provider}`);
  return found;
}

test('20 000 requests on the seed route: observed shares within ±1.5 points of 60/40', async () => {
  const { summary } = await simulate(SEED, 'seed: 11\nrequests: 20000\narrival: { rate_per_second: 50 }\n');
  assert.equal(summary.successRate, 1);
  const anthropic = target(summary, 'anthropic');
  const openai = target(summary, 'openai');
  assert.ok(Math.abs(anthropic.observedShare - 0.6) <= 0.015, `anthropic ${anthropic.observedShare}`);
  assert.ok(Math.abs(openai.observedShare - 0.4) <= 0.015, `openai ${openai.observedShare}`);
  assert.equal(anthropic.configuredShare, 0.6);
});

test('forced 503 on anthropic: openai serves every request, retryable_5xx failovers are counted, the circuit opens after 3 and probes half-open', async () => {
  const { summary, events } = await simulate(SEED, `seed: 3
requests: 2000
arrival: { rate_per_second: 5 }
faults:
  - provider: anthropic
    errors: [ { status: 503, rate: 1 } ]
`);
  assert.equal(summary.successRate, 1);
  const anthropic = target(summary, 'anthropic');
  assert.equal(anthropic.answered, 0);
  assert.equal(target(summary, 'openai').observedShare, 1);
  assert.ok((anthropic.failovers['retryable_5xx'] ?? 0) > 0);
  assert.ok((anthropic.skipped['circuit_open'] ?? 0) > 0);
  // The circuit opens on the third consecutive failed call, then probes once per open period.
  const calls = events.filter(({ event }) => event.type === 'attempt-end' && event.record.provider === 'anthropic' && event.record.outcome !== 'skipped');
  const firstOpen = events.findIndex(({ event }) => event.type === 'circuit-open');
  assert.equal(calls.filter(({ at }) => at <= (events[firstOpen]?.at ?? 0)).length, 3);
  assert.ok(anthropic.cooldowns.probes >= 3, `probes ${anthropic.cooldowns.probes}`);
  const periods = events.flatMap(({ event }) => (event.type === 'circuit-open' ? [event.openMs] : []));
  assert.deepEqual(periods.slice(0, 5), [10_000, 20_000, 40_000, 80_000, 120_000], 'the open period doubles up to 120 s');
});

test('a primary down for 60 simulated seconds: the other target serves meanwhile, and the primary is back within one open period of recovery', async () => {
  const primary = SEED.replace('weight: 60', 'weight: 100').replace('weight: 40', 'weight: 0');
  const { results, events } = await simulate(primary, `seed: 5
requests: 1200
arrival: { rate_per_second: 10, process: uniform }
faults:
  - provider: anthropic
    outages: [ { from: 0, to: 60 } ]
`);
  const during = results.filter(({ endedAt }) => endedAt < 60_000);
  assert.ok(during.length > 500);
  assert.ok(during.every(({ result }) => result.outcome === 'success' && result.provider === 'openai'));
  const openPeriodAtRecovery = events.filter(({ event, at }) => event.type === 'circuit-open' && at <= 60_000).at(-1);
  assert.ok(openPeriodAtRecovery !== undefined && openPeriodAtRecovery.event.type === 'circuit-open');
  const backAt = results.find(({ result, endedAt }) => endedAt >= 60_000 && result.provider === 'anthropic')?.endedAt;
  assert.ok(backAt !== undefined, 'the primary answers again');
  assert.ok(backAt - 60_000 <= openPeriodAtRecovery.event.openMs, `back ${backAt - 60_000} ms after recovery`);
  const after = results.filter(({ endedAt }) => endedAt > backAt + 1000);
  assert.ok(after.every(({ result }) => result.provider === 'anthropic'), 'and keeps answering');
});

test('a 429 with Retry-After: 2 once: one retry after exactly 2 s on the same target', async () => {
  const primary = SEED.replace('weight: 60', 'weight: 100').replace('weight: 40', 'weight: 0');
  const { results } = await simulate(primary, `requests: 1
faults:
  - provider: anthropic
    errors: [ { status: 429, rate: 1, retry_after_ms: 2000, limit: 1 } ]
`);
  const attempts = results[0]?.result.attempts ?? [];
  assert.deepEqual(attempts.map((record) => [record.provider, record.status, record.reason, record.outcome]), [
    ['anthropic', 429, 'rate_limited', 'retry'],
    ['anthropic', 200, null, 'success'],
  ]);
  assert.equal(attempts[1]?.startMs, 2000);
});

test('latency above max_latency_ms: latency failovers, and the app waits max_latency_ms plus the other target', async () => {
  const { summary, results } = await simulate(SEED, `seed: 2
requests: 300
faults:
  - provider: anthropic
    latency_ms: 1000
`);
  assert.ok((target(summary, 'anthropic').failovers['latency'] ?? 0) > 0);
  const openaiMs = fixtures.pick('openai', { stream: false, tools: false })?.response.headers_at_ms ?? 0;
  const failedOver = results.filter(({ result }) => result.attempts[0]?.reason === 'latency');
  assert.ok(failedOver.length > 0);
  for (const { result } of failedOver) assert.equal(result.durationMs, 800 + openaiMs);
});

test('a context-length 400 fails over to the next target', async () => {
  const openaiFirst = SEED.replace('weight: 60', 'weight: 0').replace('weight: 40', 'weight: 1');
  const { summary } = await simulate(openaiFirst, `requests: 20
faults:
  - provider: openai
    errors: [ { case: error-400-context-length, rate: 1 } ]
`);
  assert.equal(summary.successRate, 1);
  assert.equal(target(summary, 'openai').failovers['context_length'], 20);
  assert.equal(target(summary, 'anthropic').answered, 20);
});

test('a content-filter 400 goes to the client as is, after one attempt', async () => {
  const azure = `providers:
  azure-openai: { base_url: "https://res.openai.azure.com", api_key: "\${AZURE_OPENAI_API_KEY:-x}" }
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets:
      - { provider: azure-openai, model: gpt-4o-mini-prod, weight: 1 }
      - { provider: openai, model: gpt-4o-mini, weight: 0 }
`;
  const { summary, results } = await simulate(azure, `requests: 5
faults:
  - provider: azure-openai
    errors: [ { status: 400, rate: 1 } ]
`);
  assert.equal(summary.statuses['400'], 5);
  for (const { result } of results) {
    assert.equal(result.attempts.length, 1);
    assert.equal(result.attempts[0]?.reason, 'content_filter');
    assert.equal(result.error?.envelope.error.code, 'content_filter');
  }
});

test('a stream cut after N chunks is continued on the next prefill-capable target', async () => {
  const openaiFirst = SEED.replace('weight: 60', 'weight: 0').replace('weight: 40', 'weight: 1');
  const { summary, results } = await simulate(openaiFirst, `requests: 20
stream_fraction: 1
faults:
  - provider: openai
    stream_cut: { rate: 1, after_chunks: 3 }
`);
  assert.equal(summary.successRate, 1);
  assert.equal(target(summary, 'anthropic').answered, 20);
  const continued = results.filter(({ result }) => result.attempts[0]?.outcome === 'continued');
  // Three broken streams open openai's circuit; until then every one was continued.
  assert.ok(continued.length >= 3, `continued ${continued.length}`);
  for (const { result } of continued) {
    assert.deepEqual(result.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
      ['openai', 'stream_error', 'continued'],
      ['anthropic', null, 'success'],
    ]);
  }
});

test('a stream cut with no prefill-capable candidate ends with the in-band error event', async () => {
  const noPrefill = `providers:
  openai-b: { type: openai, base_url: "https://b.example/v1", api_key: "\${B_KEY:-x}" }
ai_routes:
  - name: chat
    match: { model: "gpt-4o-mini" }
    targets:
      - { provider: openai, model: gpt-4o-mini, weight: 1 }
      - { provider: openai-b, model: gpt-4o-mini, weight: 0 }
`;
  const { summary, results } = await simulate(noPrefill, `requests: 10
stream_fraction: 1
faults:
  - provider: openai
    stream_cut: { rate: 1, after_chunks: 3 }
`);
  const broken = results.filter(({ result }) => result.attempts[0]?.provider === 'openai' && result.attempts[0].outcome !== 'skipped');
  assert.ok(broken.length >= 3, `broken ${broken.length}`);
  assert.equal(summary.outcomes['interrupted'], broken.length);
  for (const { result } of broken) {
    assert.equal(result.outcome, 'interrupted');
    assert.equal(result.error?.code, 'AIGW_E_STREAM_INTERRUPTED');
    assert.deepEqual(result.attempts.map((record) => [record.reason, record.outcome]), [['stream_error', 'returned']]);
  }
});

test('both targets down: the fallback serves', async () => {
  const { summary } = await simulate(SEED, `requests: 50
faults:
  - { provider: anthropic, outages: [ { from: 0, to: 3600 } ] }
  - { provider: openai, outages: [ { from: 0, to: 3600, status: 503 } ] }
`);
  assert.equal(summary.successRate, 1);
  assert.equal(target(summary, 'ollama').answered, 50);
});

test('the fallback down too: a 502 listing every attempt', async () => {
  const { summary, results, events } = await simulate(SEED, `requests: 1
faults:
  - { provider: anthropic, outages: [ { from: 0, to: 3600 } ] }
  - { provider: openai, outages: [ { from: 0, to: 3600 } ] }
  - { provider: ollama, outages: [ { from: 0, to: 3600 } ] }
`);
  assert.equal(summary.statuses['502'], 1);
  const only = results[0]?.result;
  assert.equal(only?.status, 502);
  assert.equal(only?.error?.code, 'AIGW_E_ALL_ATTEMPTS_FAILED');
  assert.deepEqual(only?.attempts.map((record) => [record.provider, record.reason, record.outcome]), [
    ['anthropic', 'connect_error', 'retry'], ['anthropic', 'connect_error', 'failover'],
    ['openai', 'connect_error', 'retry'], ['openai', 'connect_error', 'failover'],
    ['ollama', 'connect_error', 'retry'], ['ollama', 'connect_error', 'failover'],
  ]);
  assert.equal(only?.error?.envelope.error.message, 'All attempts failed: anthropic/claude-haiku-4-5: connect_error; anthropic/claude-haiku-4-5: connect_error; '
    + 'openai/gpt-4o-mini: connect_error; openai/gpt-4o-mini: connect_error; ollama/llama-3.1: connect_error; ollama/llama-3.1: connect_error.');
  // Two failovers (anthropic → openai → ollama): the fallback's own failure led nowhere, as serve's
  // aigw_failovers_total counts it; the live view agrees with the report.
  assert.deepEqual(summary.failovers, { connect_error: 2 });
  assert.deepEqual(target(summary, 'ollama').failovers, {});
  assert.deepEqual(target(summary, 'openai').failovers, { connect_error: 1 });
  const live = createLiveState(1);
  for (const { event } of events) reduceLiveState(live, event);
  assert.deepEqual([...live.providers.values()].map((row) => [row.name, row.failovers]), [
    ['anthropic/claude-haiku-4-5', 1], ['openai/gpt-4o-mini', 1], ['ollama/llama-3.1', 0],
  ]);
});

test('a provider quota ceiling: the target is skipped without a call once its limit is spent', async () => {
  const limited = `providers:\n  anthropic: { api_key: "\${ANTHROPIC_API_KEY:-x}", limits: { requests_per_minute: 10 } }\n${SEED}`;
  const { summary } = await simulate(limited, `seed: 4
requests: 600
arrival: { rate_per_second: 10, process: uniform }
`);
  const anthropic = target(summary, 'anthropic');
  assert.equal(summary.successRate, 1);
  assert.ok((anthropic.skipped['quota_full'] ?? 0) > 300, JSON.stringify(anthropic.skipped));
  // 60 s of traffic: at most 10 calls per minute window (the sliding window may admit up to twice that at a boundary).
  assert.ok(anthropic.attempts <= 20, `anthropic calls ${anthropic.attempts}`);
});

test('a weight-0 target is never first but is used in failover', async () => {
  const zero = SEED.replace('weight: 60', 'weight: 0');
  const { summary } = await simulate(zero, `requests: 200
faults:
  - provider: openai
    errors: [ { status: 500, rate: 0.5 } ]
`);
  const anthropic = target(summary, 'anthropic');
  assert.equal(anthropic.firstShare, 0);
  assert.ok(anthropic.answered > 0);
});

test('a model mix with a model no route matches: those requests get the 404 the gateway would give', async () => {
  const { summary } = await simulate(SEED, `requests: 400
models: { gpt-4o-mini: 1, gpt-5: 1 }
`);
  const unmatched = summary.statuses['404'] ?? 0;
  assert.ok(unmatched > 150 && unmatched < 250, `404s ${unmatched}`);
  assert.equal(summary.statuses['200'], 400 - unmatched);
  assert.equal(summary.routes[0]?.requests, 400 - unmatched);
  assert.equal(summary.successRate, (400 - unmatched) / 400);
});

test('the report\'s latency percentiles and token totals come from the requests simulated (30/70 mix of two fixed-latency targets)', async () => {
  const only = (provider: 'anthropic' | 'openai'): string => (provider === 'anthropic'
    ? SEED.replace('weight: 40', 'weight: 0')
    : SEED.replace('weight: 60', 'weight: 0'));
  const scenario = 'seed: 4\nrequests: 1000\narrival: { rate_per_second: 5 }\n';
  // Each target alone: every request takes its fixture's time and spends its fixture's tokens.
  const [anthropicAlone, openaiAlone] = await Promise.all([simulate(only('anthropic'), scenario), simulate(only('openai'), scenario)]);
  const latencyOf = (run: Run): number => {
    assert.equal(run.summary.latencyMs.p50, run.summary.latencyMs.max, 'one target alone answers in a fixed time');
    return run.summary.latencyMs.p50;
  };
  const slow = latencyOf(anthropicAlone);
  const fast = latencyOf(openaiAlone);
  assert.ok(slow > fast, `anthropic ${slow} ms, openai ${fast} ms`);
  const perRequest = (run: Run) => ({ prompt: run.summary.tokens.prompt / 1000, completion: run.summary.tokens.completion / 1000 });
  const anthropicTokens = perRequest(anthropicAlone);
  const openaiTokens = perRequest(openaiAlone);

  const { summary } = await simulate(SEED.replace('weight: 60', 'weight: 30').replace('weight: 40', 'weight: 70'), scenario);
  const anthropic = target(summary, 'anthropic');
  const openai = target(summary, 'openai');
  assert.equal(anthropic.answered + openai.answered, 1000);
  assert.ok(anthropic.answered > 200 && anthropic.answered < 400, `anthropic answered ${anthropic.answered}`);
  // 70 % at the fast time: p50 is it; p95, p99 and max are the slow one.
  assert.deepEqual(summary.latencyMs, { p50: fast, p95: slow, p99: slow, max: slow });
  const expected = {
    prompt: anthropic.answered * anthropicTokens.prompt + openai.answered * openaiTokens.prompt,
    completion: anthropic.answered * anthropicTokens.completion + openai.answered * openaiTokens.completion,
  };
  assert.deepEqual(summary.tokens, { ...expected, total: expected.prompt + expected.completion });
  assert.deepEqual(anthropic.tokens, { prompt: anthropic.answered * anthropicTokens.prompt, completion: anthropic.answered * anthropicTokens.completion, total: anthropic.answered * (anthropicTokens.prompt + anthropicTokens.completion) });
});

test('scenario prompts pick the fixtures: tool-call answers take the tool-call fixture\'s time, chat answers the chat one\'s', async () => {
  const latencyWith = async (prompt: string): Promise<SimulationSummary> => (await simulate(SEED, `seed: 6\nrequests: 200\narrival: { rate_per_second: 5 }\nprompts: { ${prompt}: 1 }\n`)).summary;
  const fixtureMs = (provider: 'anthropic' | 'openai', tools: boolean): number => fixtures.pick(provider, { stream: false, tools })?.response.headers_at_ms ?? Number.NaN;
  const chat = await latencyWith('chat');
  const tools = await latencyWith('tool-call');
  assert.equal(chat.latencyMs.p50 === fixtureMs('anthropic', false) || chat.latencyMs.p50 === fixtureMs('openai', false), true, `chat p50 ${chat.latencyMs.p50}`);
  assert.notDeepEqual(chat.latencyMs, tools.latencyMs, 'the prompt mix changes which fixtures answer');
  // Anthropic's tool-call fixture is slower than the route's 800 ms budget: with tool calls only, it never answers.
  assert.ok(fixtureMs('anthropic', true) > 800 && fixtureMs('anthropic', false) < 800, 'the fixtures this test relies on');
  assert.equal(target(tools, 'anthropic').answered, 0);
  assert.ok((target(tools, 'anthropic').failovers['latency'] ?? 0) > 0);
  assert.ok(target(chat, 'anthropic').answered > 0);
  assert.deepEqual(chat.failovers, {});
});

test('percentiles take the nearest rank: 1..100 gives 50, 95, 99 and 100; none gives zeros', () => {
  assert.deepEqual(percentiles(Array.from({ length: 100 }, (_, index) => 100 - index)), { p50: 50, p95: 95, p99: 99, max: 100 });
  assert.deepEqual(percentiles([7]), { p50: 7, p95: 7, p99: 7, max: 7 });
  assert.deepEqual(percentiles([]), { p50: 0, p95: 0, p99: 0, max: 0 });
});

test('a 503 storm at 10 requests/s: retries find the circuit open, and the moves to openai are circuit_open skips (README: gate on success_rate or skips)', async () => {
  const { summary } = await simulate(SEED, `seed: 3
requests: 2000
arrival: { rate_per_second: 10 }
faults:
  - provider: anthropic
    errors: [ { status: 503, rate: 1 } ]
`);
  assert.equal(summary.successRate, 1);
  assert.equal(target(summary, 'openai').observedShare, 1);
  const anthropic = target(summary, 'anthropic');
  assert.ok(summary.retries > 0, `retries ${summary.retries}`);
  assert.ok((anthropic.skipped['circuit_open'] ?? 0) > 100, `skipped ${JSON.stringify(anthropic.skipped)}`);
  assert.ok((anthropic.failovers['retryable_5xx'] ?? 0) < (anthropic.skipped['circuit_open'] ?? 0));
});
