/** Shared pieces of the audit unit tests: sample records, temporary folders, a scriptable sink. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { toQueuedRecord, type QueuedRecord } from '../../../runtime/audit/queue.js';
import type { AuditAttempt, AuditInput, AuditRecord } from '../../../runtime/audit/record.js';
import type { AuditSink, SinkWriteResult } from '../../../runtime/audit/sinks/sink.js';

/** A request answered by its third attempt after a failover and a skipped target: most fields set. */
export const ANSWERED_INPUT: AuditInput = {
  timestamp: Date.UTC(2026, 0, 1, 0, 0, 0),
  requestId: 'req-1',
  credentialId: 'team-a',
  clientAddress: '10.0.0.7',
  userAgent: 'OpenAI/JS 6.0',
  method: 'POST',
  path: '/v1/chat/completions',
  route: 'chat-default',
  requestedModel: 'gpt-4o-mini',
  provider: 'anthropic',
  providerType: 'anthropic',
  model: 'claude-haiku-4-5',
  attempts: [
    { provider: 'openai', model: 'gpt-4o-mini', status: 503, reason: 'retryable_5xx', outcome: 'failure', durationMs: 120 },
    { provider: 'mistral', model: 'mistral-small', reason: 'circuit_open', outcome: 'skipped', durationMs: 0 },
    { provider: 'anthropic', model: 'claude-haiku-4-5', status: 200, outcome: 'success', durationMs: 800 },
  ],
  failover: true,
  usage: { promptTokens: 12, completionTokens: 30, totalTokens: 42, cachedPromptTokens: 4 },
  stream: true,
  status: 200,
  ttfbMs: 350,
  durationMs: 1_000.5,
  promptMessages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Mail jane@example.com' }],
  completionText: 'Done.',
  finishReason: 'stop',
  rawFinishReason: 'end_turn',
  droppedParams: ['logit_bias'],
  manifestVersion: 'sha256:abc',
};

export function sampleAuditRecord(id: string, padding = 0): AuditRecord {
  return { '@timestamp': '2026-01-01T00:00:00.000Z', 'http': { request: { id } }, 'pad': 'x'.repeat(padding) };
}

export function sampleRecord(id: string, padding = 0): QueuedRecord {
  return toQueuedRecord(sampleAuditRecord(id, padding));
}

/** A temporary folder removed after the test's other cleanups (register it first). */
export async function temporaryFolder(t: TestContext, cleanups: (() => Promise<unknown>)[] = []): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'aigw-audit-'));
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await rm(directory, { recursive: true, force: true });
  });
  return directory;
}

export interface FakeSink extends AuditSink {
  /** Ids in delivery order (each successful delivery once). */
  readonly delivered: string[];
  /** Every id offered to write(), including failed offers. */
  readonly offered: string[];
  /** Decides each write: throw to fail the batch, or return a result. Default: deliver all. */
  behaviour: (ids: readonly string[]) => SinkWriteResult | 'throw' | Promise<SinkWriteResult | 'throw'>;
  closed: boolean;
}

export function createFakeSink(name = 'fake', batch: AuditSink['batch'] = { maxCount: 50, maxBytes: 1_000_000, intervalMs: 5 }): FakeSink {
  const sink: FakeSink = {
    name,
    batch,
    delivered: [],
    offered: [],
    closed: false,
    behaviour: () => ({ retry: [], rejected: [] }),
    async write(records) {
      const ids = records.map((record) => record.id);
      sink.offered.push(...ids);
      const outcome = await sink.behaviour(ids);
      if (outcome === 'throw') throw new Error('sink down');
      const failed = new Set([...outcome.retry.map((record) => record.id), ...outcome.rejected.map((entry) => entry.record.id)]);
      for (const id of ids) if (!failed.has(id)) sink.delivered.push(id);
      return outcome;
    },
    async close() { sink.closed = true; },
  };
  return sink;
}

export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
