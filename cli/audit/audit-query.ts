/**
 * What `aigw audit tail|search` asks for, parsed and checked once, and the record fields it reads.
 * The same filter runs over JSONL lines (in process) and becomes an Elasticsearch bool query.
 */
import { UsageError } from '../usage-error.js';

export interface AuditQuery {
  readonly mode: 'tail' | 'search';
  readonly route?: string;
  readonly provider?: string;
  readonly status?: number;
  /** Epoch milliseconds; records before it are skipped. */
  readonly since?: number;
  readonly limit: number;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
/**
 * ISO 8601 dates and times only: Date.parse also takes "5" (May 2001), "45" (2045) or "May 1" (2001),
 * which would filter silently on the wrong time.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Checks the flags; `now` resolves relative --since values (15m, 2h). */
export function parseAuditQuery(mode: string, options: Readonly<Record<string, unknown>>, now: number): AuditQuery {
  if (mode !== 'tail' && mode !== 'search') throw new UsageError(`unknown audit command "${mode}" (tail or search)`);
  // Decimal digits only: Number() also reads 1e3, 0x10 and ' 5 '.
  const limitText = String(options['limit'] ?? 20);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${limitText}"`);
  const query: { -readonly [K in keyof AuditQuery]: AuditQuery[K] } = { mode, limit };
  if (typeof options['route'] === 'string') query.route = options['route'];
  if (typeof options['provider'] === 'string') query.provider = options['provider'];
  if (options['status'] !== undefined) {
    const statusText = String(options['status']);
    const status = Number(statusText);
    if (!/^\d{3}$/.test(statusText) || status < 100 || status > 599) throw new UsageError(`--status must be an HTTP status code, got "${statusText}"`);
    query.status = status;
  }
  if (typeof options['since'] === 'string') query.since = parseSince(options['since'], now);
  return query;
}

function parseSince(value: string, now: number): number {
  const relative = DURATION.exec(value);
  if (relative !== null) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const absolute = ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(absolute)) throw new UsageError(`--since must be an ISO time or a duration like 15m, 2h, 7d; got "${value}"`);
  return absolute;
}

/** The fields the filters and the table read from a record (docs/audit-fields.md). */
export interface AuditRecordView {
  readonly timestamp: string | undefined;
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  readonly route: string | undefined;
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  readonly durationMs: number | undefined;
  readonly attempts: number | undefined;
  readonly stream: boolean | undefined;
  readonly errorCode: string | undefined;
}

export function viewOf(record: Record<string, unknown>): AuditRecordView {
  const at = (path: string): unknown => path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), record);
  const text = (path: string): string | undefined => { const value = at(path); return typeof value === 'string' ? value : undefined; };
  const number = (path: string): number | undefined => { const value = at(path); return typeof value === 'number' ? value : undefined; };
  const flag = at('aigw.stream');
  return {
    timestamp: text('@timestamp'), requestId: text('http.request.id'), status: number('http.response.status_code'),
    route: text('aigw.route'), provider: text('aigw.provider'), model: text('aigw.model'),
    inputTokens: number('gen_ai.usage.input_tokens'), outputTokens: number('gen_ai.usage.output_tokens'),
    durationMs: number('aigw.duration_ms'), attempts: number('aigw.attempt_count'),
    stream: typeof flag === 'boolean' ? flag : undefined, errorCode: text('error.code'),
  };
}

export function matches(view: AuditRecordView, query: AuditQuery): boolean {
  if (query.route !== undefined && view.route !== query.route) return false;
  if (query.provider !== undefined && view.provider !== query.provider) return false;
  if (query.status !== undefined && view.status !== query.status) return false;
  if (query.since !== undefined && (view.timestamp === undefined || Date.parse(view.timestamp) < query.since)) return false;
  return true;
}
