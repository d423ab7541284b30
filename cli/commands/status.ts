/**
 * `aigw status --gateway URL...`: every gateway's live version, load time, uptime and replica id
 * (signed GET /admin/status), then whether they agree. Exit 0 in sync; 1 drift (more than one live
 * version) or a gateway that refused the request (as apply and rollback do); 2 a gateway unreachable.
 */
import { createAdminClient, describeRejection, GatewayUnreachableError, isRecord, loadSigningKey, printable, resolveGateways, shortVersion } from '../admin-client.js';
import { parseFormat } from '../admin-outcome.js';
import { ExitCode, type Io } from '../io.js';
import { UsageError } from '../usage-error.js';

export const STATUS_JSON_VERSION = 1;

type Row =
  | { readonly gateway: string; readonly ok: true; readonly status: Readonly<Record<string, unknown>> }
  | { readonly gateway: string; readonly ok: false; readonly error: string; readonly refused: boolean };

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = parseFormat(options['format']);
  if (args.length > 0) throw new UsageError(`status takes no arguments (got ${args.join(' ')})`);
  const gateways = await resolveGateways(options, 'status');
  const client = await createAdminClient(await loadSigningKey(options, io), io);
  const rows: Row[] = [];
  try {
    // In order, one at a time: output follows the --gateway order (style §A.7).
    for (const gateway of gateways) {
      try {
        const response = await client.request(gateway, { method: 'GET', path: '/admin/status' });
        if (response.status !== 200) rows.push({ gateway, ok: false, error: describeRejection(response), refused: true });
        else if (!isStatusAnswer(response.body)) rows.push({ gateway, ok: false, error: 'its answer is not an aigw admin status (no string version): a foreign or broken server', refused: true });
        else rows.push({ gateway, ok: true, status: response.body });
      } catch (error) {
        if (!(error instanceof GatewayUnreachableError)) throw error;
        rows.push({ gateway, ok: false, error: error.message, refused: false });
      }
    }
  } finally {
    await client.close();
  }
  const versions = [...new Set(rows.flatMap((row) => (row.ok ? [String(row.status['version'])] : [])))].sort();
  const drift = versions.length > 1;
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({
      version: STATUS_JSON_VERSION,
      drift,
      versions,
      gateways: rows.map((row) => (row.ok ? { gateway: row.gateway, ...row.status } : { gateway: row.gateway, error: row.error })),
    }, null, 2)}\n`);
  } else {
    io.stdout.write(renderTable(rows));
    for (const row of rows) if (!row.ok) io.stderr.write(`aigw: ${row.gateway}: ${printable(row.error)}\n`);
    for (const row of rows) {
      if (row.ok && typeof row.status['storeError'] === 'string') io.stderr.write(`aigw: ${row.gateway}: its config store did not answer (${printable(row.status['storeError'])}): it misses reloads until it does\n`);
    }
    if (drift) io.stdout.write(`DRIFT: ${versions.length} versions live (${versions.map((version) => printable(shortVersion(version))).join(', ')})\n`);
    else if (versions.length === 1 && rows.every((row) => row.ok)) io.stdout.write(`in sync: ${rows.length} of ${rows.length} gateways run ${printable(shortVersion(versions[0]))}\n`);
    else if (versions.length === 1) io.stdout.write(`${rows.filter((row) => row.ok).length} of ${rows.length} gateways answered, all running ${printable(shortVersion(versions[0]))}; the others are listed above\n`);
  }
  if (rows.some((row) => !row.ok && !row.refused)) return ExitCode.Usage;
  // A replica cut off from the shared store is in sync only by chance: it misses every reload.
  const storeDown = rows.some((row) => row.ok && typeof row.status['storeError'] === 'string');
  return drift || storeDown || rows.some((row) => !row.ok) ? ExitCode.Findings : ExitCode.Ok;
}

function renderTable(rows: readonly Row[]): string {
  const header = ['GATEWAY', 'REPLICA', 'VERSION', 'LOADED', 'UPTIME', 'STORE', 'LAST RELOAD'];
  const body = rows.map((row) => {
    if (!row.ok) return [row.gateway, '-', row.refused ? 'refused' : 'unreachable', '-', '-', '-', '-'];
    const status = row.status;
    const last = isRecord(status['lastReload']) ? `${String(status['lastReload']['outcome'])} (${String(status['lastReload']['origin'])})` : '-';
    const store = `${String(status['store'] ?? '?')}${typeof status['storeError'] === 'string' ? ' (unreachable)' : ''}`;
    return [row.gateway, String(status['replicaId'] ?? '?'), shortVersion(status['version']), String(status['loadedAt'] ?? '?'), formatUptime(status['uptimeSeconds']), store, last];
  });
  for (const cells of body) cells.forEach((cell, column) => { cells[column] = printable(cell); });
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  return [header, ...body].map((cells) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

/** An /admin/status answer as aigw gives it: an object whose `version` is a string. */
function isStatusAnswer(body: unknown): body is Readonly<Record<string, unknown>> {
  return isRecord(body) && typeof body['version'] === 'string' && body['version'] !== '';
}

function formatUptime(value: unknown): string {
  if (typeof value !== 'number') return '?';
  const hours = Math.floor(value / 3600);
  const minutes = Math.floor((value % 3600) / 60);
  const seconds = value % 60;
  return hours > 0 ? `${hours}h${String(minutes).padStart(2, '0')}m` : minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}
