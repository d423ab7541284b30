/** A small, fixed simulation summary for the expect and format tests. */
import type { SimulationSummary } from '../../../cli/simulate/statistics.js';

export const SUMMARY: SimulationSummary = {
  version: 1,
  seed: 42,
  requests: 1000,
  simulatedMs: 200_000,
  successRate: 0.998,
  outcomes: { error: 2, success: 998 },
  statuses: { '200': 998, '502': 2 },
  latencyMs: { p50: 431, p95: 880.5, p99: 1231, max: 1900 },
  timeToFirstByteMs: { p50: 300, p95: 700, p99: 1100, max: 1500 },
  failovers: { latency: 12, retryable_5xx: 30 },
  retries: 25,
  malformed: 0,
  tokens: { prompt: 20_000, completion: 5_000, total: 25_000 },
  routes: [{
    name: 'chat-mid-tier',
    requests: 1000,
    successRate: 0.998,
    latencyMs: { p50: 431, p95: 880.5, p99: 1231, max: 1900 },
    targets: [
      { provider: 'anthropic', model: 'claude-haiku-4-5', role: 'target', weight: 60, configuredShare: 0.6, firstShare: 0.603, observedShare: 0.5812,
        answered: 580, attempts: 640, retries: 20, failovers: { latency: 12, retryable_5xx: 30 }, skipped: { circuit_open: 8 },
        tokens: { prompt: 11_600, completion: 2_900, total: 14_500 }, cooldowns: { count: 2, totalMs: 30_000, probes: 2 } },
      { provider: 'openai', model: 'gpt-4o-mini', role: 'target', weight: 40, configuredShare: 0.4, firstShare: 0.397, observedShare: 0.4168,
        answered: 416, attempts: 421, retries: 5, failovers: {}, skipped: {}, tokens: { prompt: 8_320, completion: 2_080, total: 10_400 },
        cooldowns: { count: 0, totalMs: 0, probes: 0 } },
      { provider: 'ollama', model: 'llama-3.1', role: 'fallback', weight: 0, configuredShare: 0, firstShare: 0, observedShare: 0.002,
        answered: 2, attempts: 4, retries: 0, failovers: {}, skipped: {}, tokens: { prompt: 80, completion: 20, total: 100 },
        cooldowns: { count: 0, totalMs: 0, probes: 0 } },
    ],
  }],
};
