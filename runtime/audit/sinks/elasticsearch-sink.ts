/**
 * Audit records into Elasticsearch with the client's bulk helper, next to the REST audit data
 * operators already keep. `_id` is the record's id, so a replayed batch (after a timeout, a crash or
 * a spool replay) overwrites instead of duplicating. The composable index template
 * (schemas/audit-index-template.json) is installed when the writer opens (again before the first
 * write if Elasticsearch was down then), with explicit mappings.
 * Item failures: 429 and 5xx are retried (only those items); anything else — a mapping error
 * (document_parsing_exception, mapper_parsing_exception) above all — is a content rejection for the
 * dead-letter file. A failed request (connection refused, timeout) retries the whole batch.
 * The client (@elastic/elasticsearch 8, which talks to Elasticsearch 8 and 9) is imported lazily.
 * @see https://www.elastic.co/guide/en/elasticsearch/client/javascript-api/8.19/client-helpers.html#bulk-helper
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/index-templates.html
 */
import { readFile } from 'node:fs/promises';
import type { Client, ClientOptions } from '@elastic/elasticsearch';
import { packagePath } from '../../package-root.js';
import type { QueuedRecord } from '../queue.js';
import type { AuditSink, RejectedRecord, SinkWriteResult } from './sink.js';

export interface ElasticsearchSinkOptions {
  readonly url: string;
  /** Index the records go to (default aigw-audit); the template matches it and `<index>-*`. */
  readonly index?: string;
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  /** Per bulk request (default 10 s); a timeout retries the batch later, never blocks a request. */
  readonly requestTimeoutMs?: number;
  /** Bulk batch bounds (defaults 500 records / 5 MiB / 1 s). */
  readonly batch?: { readonly maxCount?: number; readonly maxBytes?: number; readonly intervalMs?: number };
  /** Use this client instead of building one (tests, shared clients); close() leaves it open. */
  readonly client?: Client;
}

export const DEFAULT_AUDIT_INDEX = 'aigw-audit';

/**
 * Worth retrying: overload and server errors, and a write block (`cluster_block_exception`, 403: an
 * index made read-only, by an operator or by the flood-stage disk watermark), which lifts once the
 * cause is fixed; the records wait in the spool meanwhile instead of going to the dead letters.
 */
function isRetryable(status: number, errorType?: string): boolean {
  return status === 429 || status >= 500 || status === 408 || errorType === 'cluster_block_exception';
}

export async function createElasticsearchSink(options: ElasticsearchSinkOptions): Promise<AuditSink> {
  const index = options.index ?? DEFAULT_AUDIT_INDEX;
  const client = options.client ?? (await buildClient(options));
  const template = await loadTemplate(index);
  const batchBytes = options.batch?.maxBytes ?? 5 * 1024 * 1024;
  // Once installed, never again; a failed install is tried again by the next call.
  let installing: Promise<void> | undefined;
  const installTemplate = (): Promise<void> => {
    installing ??= client.indices.putIndexTemplate({ name: index, ...template }).then(() => undefined, (error: unknown) => {
      installing = undefined;
      throw error;
    });
    return installing;
  };

  return {
    name: 'elasticsearch',
    batch: { maxCount: options.batch?.maxCount ?? 500, maxBytes: batchBytes, intervalMs: options.batch?.intervalMs ?? 1_000 },
    prepare: installTemplate,
    async write(records: readonly QueuedRecord[]): Promise<SinkWriteResult> {
      await installTemplate();
      const byId = new Map(records.map((record) => [record.id, record]));
      const toRetry = new Set<QueuedRecord>();
      const rejected: RejectedRecord[] = [];
      await client.helpers.bulk<QueuedRecord>({
        datasource: [...records],
        // A string payload is sent as is: the line serialized once at enqueue.
        onDocument: (record) => [{ index: { _index: index, _id: record.id } }, record.line],
        onDrop: (dropped) => {
          const id = 'index' in dropped.operation ? dropped.operation.index._id : undefined;
          const record = id === undefined || id === null ? undefined : byId.get(id);
          if (record === undefined) return;
          if (isRetryable(dropped.status, dropped.error?.type)) toRetry.add(record);
          else rejected.push({ record, status: dropped.status, reason: `${dropped.error?.type ?? 'error'}: ${dropped.error?.reason ?? 'rejected'}` });
        },
        retries: 0,
        concurrency: 1,
        flushBytes: batchBytes * 2,
        refresh: false,
      });
      // In the batch's order (the helper reports drops in no particular order): records stay in order.
      return { retry: toRetry.size === 0 ? [] : records.filter((record) => toRetry.has(record)), rejected };
    },
    async close() {
      if (options.client === undefined) await client.close();
    },
  };
}

async function buildClient(options: ElasticsearchSinkOptions): Promise<Client> {
  const { Client: ElasticsearchClient } = await import('@elastic/elasticsearch');
  const clientOptions: ClientOptions = {
    node: options.url,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    // Retries belong to the audit writer (spool, backoff), not to the transport.
    maxRetries: 0,
    ...(options.apiKey !== undefined ? { auth: { apiKey: options.apiKey } }
      : options.username !== undefined ? { auth: { username: options.username, password: options.password ?? '' } } : {}),
  };
  return new ElasticsearchClient(clientOptions);
}

interface TemplateBody {
  readonly index_patterns: string[];
  readonly priority: number;
  readonly template: Record<string, unknown>;
  readonly _meta: Record<string, unknown>;
}

/** The shipped template, pointed at the configured index. */
export async function loadTemplate(index: string): Promise<TemplateBody> {
  const raw = JSON.parse(await readFile(packagePath('schemas', 'audit-index-template.json'), 'utf8')) as TemplateBody & { _comment?: string };
  return { index_patterns: [index, `${index}-*`], priority: raw.priority, template: raw.template, _meta: raw._meta };
}
