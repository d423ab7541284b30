/**
 * `aigw audit` output: an aligned table (text) or a versioned JSON document with the records as
 * stored. Columns come from the record view, so a field the record lacks prints as "-".
 */
import type { AuditRecordView } from '../audit/audit-query.js';

export const AUDIT_JSON_VERSION = 1;

const COLUMNS: readonly { readonly title: string; readonly cell: (view: AuditRecordView) => string }[] = [
  { title: 'TIME', cell: (view) => view.timestamp ?? '-' },
  { title: 'STATUS', cell: (view) => (view.status === undefined ? '-' : String(view.status)) },
  { title: 'ROUTE', cell: (view) => view.route ?? '-' },
  { title: 'PROVIDER/MODEL', cell: (view) => (view.provider === undefined ? '-' : `${view.provider}/${view.model ?? '?'}`) },
  { title: 'TOKENS IN/OUT', cell: (view) => (view.inputTokens === undefined ? '-' : `${view.inputTokens}/${view.outputTokens ?? 0}`) },
  { title: 'MS', cell: (view) => (view.durationMs === undefined ? '-' : String(Math.round(view.durationMs))) },
  { title: 'ATTEMPTS', cell: (view) => (view.attempts === undefined ? '-' : String(view.attempts)) },
  { title: 'STREAM', cell: (view) => (view.stream === true ? 'yes' : 'no') },
  { title: 'REQUEST ID', cell: (view) => view.requestId ?? '-' },
  { title: 'ERROR', cell: (view) => view.errorCode ?? '' },
];

export function renderAuditTable(views: readonly AuditRecordView[]): string {
  if (views.length === 0) return 'no matching audit records\n';
  const rows = [COLUMNS.map((column) => column.title), ...views.map((view) => COLUMNS.map((column) => column.cell(view)))];
  const widths = COLUMNS.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderAuditJson(source: string, records: readonly Record<string, unknown>[]): string {
  return `${JSON.stringify({ version: AUDIT_JSON_VERSION, source, count: records.length, records }, null, 2)}\n`;
}
