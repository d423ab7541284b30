/**
 * `aigw audit tail|search`: read the audit trail for operators, from the JSONL file (with its
 * rotations) or from Elasticsearch (`--es-url`, client loaded only then), filtered by route,
 * provider, status and time. `tail`: the last N matches, oldest first; `search`: the newest N
 * matches, newest first. Exit 0 (even with no match), 2 on bad flags or an unreadable source.
 */
import { resolve } from 'node:path';
import { parseAuditQuery, viewOf } from '../audit/audit-query.js';
import { renderAuditJson, renderAuditTable } from '../format/audit-table.js';
import type { Io } from '../io.js';
import { ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const [mode = '', ...rest] = args;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
  const query = parseAuditQuery(mode, options, Date.now());
  // --file names the file and, beside it, its rotations (audit.jsonl.1 …): stdin has neither.
  if (options['file'] === '-') throw new UsageError('audit reads a file (--file PATH) or Elasticsearch (--es-url), not standard input');
  const esUrl = typeof options['esUrl'] === 'string' ? checkEsUrl(options['esUrl']) : undefined;
  let source: string;
  let result;
  if (esUrl !== undefined) {
    const index = typeof options['index'] === 'string' ? options['index'] : 'aigw-audit';
    const { readElasticsearch } = await import('../audit/read-elasticsearch.js');
    source = `elasticsearch:${index}`;
    result = await readElasticsearch(esUrl, index, query, io.env['AIGW_AUDIT_ES_API_KEY']);
  } else {
    const file = resolve(io.cwd, typeof options['file'] === 'string' ? options['file'] : io.env['AIGW_AUDIT_FILE'] ?? 'audit.jsonl');
    const { readJsonl } = await import('../audit/read-jsonl.js');
    source = file;
    result = await readJsonl(file, query);
  }
  if (result.unreadable > 0) io.stderr.write(`aigw: skipped ${result.unreadable} unreadable line(s) in ${source}\n`);
  io.stdout.write(options['format'] === 'json' ? renderAuditJson(source, result.records) : renderAuditTable(result.records.map(viewOf)));
  return ExitCode.Ok;
}

/** The client throws a bare "Invalid URL" for a typo; that is the user's to fix, said as such. */
function checkEsUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--es-url must be an http or https URL, e.g. http://localhost:9200');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--es-url must be an http or https URL, e.g. http://localhost:9200');
  return value;
}
