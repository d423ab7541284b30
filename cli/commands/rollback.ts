/**
 * `aigw rollback --gateway URL... [--to VERSION]`: signed POST /admin/rollback to each gateway.
 * Without --to the first gateway picks its previous version, and the others are sent that exact
 * version: "previous" asked N times of replicas sharing a store would step back N times. Every
 * gateway must answer a signed GET /admin/status first: one unreachable or refusing replica means
 * nothing is rolled back anywhere (as apply's dry run), rather than a fleet left half rolled back;
 * likewise when the first gateway refuses its rollback (412, 404, 422), the others are not sent one.
 * Exit 0 rolled back, 1 a gateway refused (unknown version, invalid there), 2 unreachable or usage.
 */
import { createAdminClient, describeRejection, GatewayUnreachableError, isRecord, loadSigningKey, printable, resolveGateways, shortVersion } from '../admin-client.js';
import { exitCodeOf, parseFormat, renderValidation, validationDiagnostics, type GatewayOutcome } from '../admin-outcome.js';
import { ExitCode, type Io } from '../io.js';
import { UsageError } from '../usage-error.js';

export const ROLLBACK_JSON_VERSION = 1;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = parseFormat(options['format']);
  if (args.length > 0) throw new UsageError(`rollback takes no arguments (got ${args.join(' ')}); use --to VERSION`);
  let target = options['to'];
  if (target !== undefined && (typeof target !== 'string' || !/^[0-9a-fA-F]{7,64}$/.test(target))) {
    throw new UsageError('--to must be a version or a prefix of at least 7 hex digits (aigw status shows them)');
  }
  const gateways = await resolveGateways(options, 'rollback');
  const client = await createAdminClient(await loadSigningKey(options, io), io);
  const outcomes: GatewayOutcome[] = [];
  /** The version each gateway ran at the pre-flight. */
  const live = new Map<string, string>();
  try {
    for (const gateway of gateways) {
      try {
        const status = await client.request(gateway, { method: 'GET', path: '/admin/status' });
        if (status.status !== 200) outcomes.push({ gateway, result: 'rejected', status: status.status, message: describeRejection(status) });
        else if (isRecord(status.body) && typeof status.body['version'] === 'string') live.set(gateway, status.body['version']);
      } catch (error) {
        if (!(error instanceof GatewayUnreachableError)) throw error;
        outcomes.push({ gateway, result: 'unreachable', message: error.message });
      }
    }
    if (outcomes.length > 0) {
      if (format === 'text') io.stderr.write(`aigw: nothing rolled back: ${outcomes.length} of ${gateways.length} gateway(s) did not answer the pre-flight status check\n`);
      return report(outcomes, format, io);
    }
    for (const [index, gateway] of gateways.entries()) {
      // The first gateway decides the target: If-Match on the version it ran at the pre-flight, so two
      // operators rolling back at once do not undo each other (the second gets a 412 and exits 1).
      // When it refuses, the others are left alone (they would step back on their own, or to a target
      // the first refused): a refused first gateway means nothing rolled back anywhere.
      const ifMatch = index === 0 && live.has(gateway) ? { 'if-match': `"${live.get(gateway) ?? ''}"` } : {};
      let response;
      try {
        response = await client.request(gateway, { method: 'POST', path: '/admin/rollback', body: JSON.stringify(target === undefined ? {} : { to: target }), headers: { 'content-type': 'application/json', ...ifMatch } });
      } catch (error) {
        if (!(error instanceof GatewayUnreachableError)) throw error;
        outcomes.push({ gateway, result: 'unreachable', message: error.message });
        if (index === 0) break;
        continue;
      }
      const body = isRecord(response.body) ? response.body : {};
      if (response.status !== 200) {
        if (format === 'text') renderValidation(response, io);
        // A 422 (the version no longer validates there) carries its diagnostics in JSON too, as apply's does.
        const diagnostics = format === 'json' ? validationDiagnostics(response) : undefined;
        outcomes.push({ gateway, result: 'rejected', status: response.status, message: describeRejection(response), ...(diagnostics === undefined ? {} : { diagnostics }) });
        if (index === 0) break;
        continue;
      }
      const version = String(body['version']);
      target ??= version;
      outcomes.push(body['unchanged'] === true
        ? { gateway, result: 'unchanged', version }
        : { gateway, result: 'applied', previousVersion: String(body['previousVersion']), version });
    }
  } finally {
    await client.close();
  }
  const [first] = outcomes;
  if (format === 'text' && gateways.length > 1 && first !== undefined && first.result !== 'applied' && first.result !== 'unchanged') {
    io.stderr.write('aigw: nothing rolled back on the other gateways: the first one decides the target, and it refused\n');
  }
  return report(outcomes, format, io);
}

function report(outcomes: readonly GatewayOutcome[], format: 'text' | 'json', io: Io): ExitCode {
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ version: ROLLBACK_JSON_VERSION, gateways: outcomes }, null, 2)}\n`);
  } else {
    // Versions and messages are the gateway's text: escaped, as status prints them.
    const short = (version: string): string => printable(shortVersion(version));
    for (const outcome of outcomes) {
      if (outcome.result === 'applied') io.stdout.write(`${outcome.gateway}: rolled back to ${short(outcome.version)} (was ${short(outcome.previousVersion)})\n`);
      else if (outcome.result === 'unchanged') io.stdout.write(`${outcome.gateway}: ${short(outcome.version)} already live\n`);
      else if (outcome.result === 'rejected' || outcome.result === 'unreachable') io.stderr.write(`aigw: ${outcome.gateway}: ${printable(outcome.message)}\n`);
    }
  }
  return exitCodeOf(outcomes);
}
