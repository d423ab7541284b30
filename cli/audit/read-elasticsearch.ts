/**
 * Reads the audit trail from Elasticsearch: the same filters as a bool query, newest first by
 * `@timestamp`. The client is imported here only, when --es-url is given.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/query-dsl-bool-query.html
 */
import { InputError } from '../usage-error.js';
import type { AuditQuery } from './audit-query.js';
import type { ReadResult } from './read-jsonl.js';

export function elasticsearchQuery(query: AuditQuery): Record<string, unknown> {
  const filter: Record<string, unknown>[] = [];
  if (query.route !== undefined) filter.push({ term: { 'aigw.route': query.route } });
  if (query.provider !== undefined) filter.push({ term: { 'aigw.provider': query.provider } });
  if (query.status !== undefined) filter.push({ term: { 'http.response.status_code': query.status } });
  if (query.since !== undefined) filter.push({ range: { '@timestamp': { gte: new Date(query.since).toISOString() } } });
  return { bool: { filter } };
}

export async function readElasticsearch(url: string, index: string, query: AuditQuery, apiKey: string | undefined): Promise<ReadResult> {
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({ node: url, requestTimeout: 30_000, maxRetries: 0, ...(apiKey === undefined ? {} : { auth: { apiKey } }) });
  try {
    const response = await client.search<Record<string, unknown>>({
      // A named index that does not exist is an error (a misspelt --index read as "no records");
      // a wildcard that matches none is still an empty answer (allow_no_indices).
      index, size: query.limit, query: elasticsearchQuery(query), sort: [{ '@timestamp': { order: 'desc' } }],
    });
    const records = response.hits.hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
    return { records: query.mode === 'tail' ? records.reverse() : records, unreadable: 0 };
  } catch (error) {
    if (isIndexNotFound(error)) throw new InputError(`Elasticsearch at ${withoutCredentials(url)} has no index "${index}" (see --index; the sink's default is aigw-audit)`);
    throw new InputError(`Elasticsearch at ${withoutCredentials(url)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await client.close();
  }
}

function isIndexNotFound(error: unknown): boolean {
  const body = (error as { meta?: { body?: { error?: { type?: unknown } } } } | null)?.meta?.body;
  return body?.error?.type === 'index_not_found_exception';
}

/** A URL's user:password never reaches the terminal. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') { parsed.username = '***'; parsed.password = ''; }
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
