/**
 * `aigw apply MANIFEST --gateway URL... [--dry-run] [--if-match auto|none|VERSION] [--yes]`:
 *
 *   1. validate locally with the loader `aigw validate` uses (${VAR}s resolve on the gateway, so a
 *      variable missing here is a warning);
 *   2. ask every gateway for a server-side dry run (POST /admin/reload?dry_run=true): its live
 *      version and the ChangeSet, rendered as `aigw diff` renders it — one diff per distinct live
 *      version;
 *   3. confirm on a terminal (--yes skips; without a terminal and without --yes: refuse, exit 2);
 *   4. send the signed reload to each gateway with `If-Match`: by default (`auto`) the version that
 *      gateway was diffed against, so a change nobody reviewed is never overwritten (a concurrent
 *      apply, a --watch reload: 412, exit 1); `--if-match none` overwrites whatever is live. Print
 *      each resulting version.
 *
 * Nothing is applied anywhere unless every gateway passed step 2, so a bad manifest or an
 * unreachable replica never leaves the fleet half-updated. Exit 0 applied (or nothing to do), 1 a
 * gateway rejected (or the manifest is invalid, or the user declined), 2 unreachable or usage.
 */
import { renderChangeSetText } from '../format/changeset-text.js';
import { renderDiagnosticsText } from '../format/diagnostics-text.js';
import type { ChangeSet } from '../../runtime/manifest/changeset.js';
import { manifestVersion } from '../../runtime/manifest/canonical.js';
import { SOURCE_NAME_HEADER } from '../../runtime/admin/signature-format.js';
import {
  createAdminClient, describeRejection, GatewayUnreachableError, isRecord, loadSigningKey, printable, resolveGateways, shortVersion,
  type AdminClient, type AdminResponse,
} from '../admin-client.js';
import { ExitCode, type Io } from '../io.js';
import { reportManifestDiagnostics } from '../manifest-diagnostics.js';
import { openManifestSource, specFromArgument } from '../manifest-source.js';
import { loadManifest } from '../../runtime/manifest/load-manifest.js';
import { UsageError } from '../usage-error.js';
import { exitCodeOf, parseFormat, renderValidation, validationDiagnostics, type GatewayOutcome } from '../admin-outcome.js';

export const APPLY_JSON_VERSION = 1;

interface Plan {
  readonly gateway: string;
  readonly liveVersion: string;
  readonly version: string;
  readonly changeSet: ChangeSet;
}

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = parseFormat(options['format']);
  if (args.length !== 1) throw new UsageError('apply takes one manifest file (or - for stdin)');
  const ifMatch = parseIfMatch(options['ifMatch']);
  const dryRun = options['dryRun'] === true;
  const yes = options['yes'] === true;
  if (!dryRun && !yes && io.confirm === undefined) {
    throw new UsageError('refusing to apply without confirmation: this is not a terminal. Pass --yes to apply non-interactively, or --dry-run to see the diff only');
  }
  const gateways = await resolveGateways(options, 'apply');
  const key = await loadSigningKey(options, io);

  const source = openManifestSource(specFromArgument(args[0] ?? ''), io);
  // Read once (stdin cannot be read twice): the same bytes are validated here and sent.
  const read = await source.read();
  const local = loadManifest(read, { env: io.env, allowMissingEnv: true });
  if (local.manifest === undefined || local.document === undefined) {
    reportManifestDiagnostics(io, format, source.label, local);
    return ExitCode.Findings;
  }
  // Warnings of a manifest that loads: stderr, in either format.
  if (local.diagnostics.length > 0) io.stderr.write(renderDiagnosticsText([{ file: source.label, diagnostics: local.diagnostics }], { color: io.stderrColor }));
  const body = typeof read.text === 'string' ? read.text : Buffer.from(read.text).toString('utf8');
  const version = manifestVersion(local.document);
  const headers = { 'content-type': 'application/yaml', [SOURCE_NAME_HEADER]: source.label };

  const client = await createAdminClient(key, io);
  try {
    const outcomes: GatewayOutcome[] = [];
    const plans: Plan[] = [];
    for (const gateway of gateways) {
      const planned = await send(client, gateway, { method: 'POST', path: '/admin/reload?dry_run=true', body, headers });
      if ('outcome' in planned) {
        outcomes.push(planned.outcome);
        continue;
      }
      const response = planned.response;
      if (response.status !== 200 || !isRecord(response.body)) {
        outcomes.push(rejected(gateway, response, io, format));
        continue;
      }
      const plan = readPlan(gateway, response.body);
      if (plan === undefined) {
        outcomes.push({ gateway, result: 'rejected', status: response.status, message: 'the dry-run answer holds no liveVersion, version and change set; is this an aigw admin port?' });
        continue;
      }
      plans.push(plan);
    }
    if (format === 'text') printPlans(plans, source.label, io);
    const pending = plans.filter((plan) => plan.liveVersion !== plan.version);
    if (dryRun || outcomes.length > 0 || pending.length === 0) {
      for (const plan of plans) outcomes.push({ gateway: plan.gateway, result: 'planned', liveVersion: plan.liveVersion, version: plan.version });
      if (format === 'text' && outcomes.length > plans.length) io.stderr.write('aigw: nothing applied: not every gateway accepted the dry run\n');
      else if (format === 'text' && !dryRun && pending.length === 0) io.stdout.write(`nothing to apply: every gateway runs ${shortVersion(version)} already\n`);
      return finish(outcomes, { format, io, version, dryRun: true });
    }

    if (!yes && io.confirm !== undefined && !(await io.confirm(`Apply ${shortVersion(version)} to ${pending.length} ${pending.length === 1 ? 'gateway' : 'gateways'}?`))) {
      io.stderr.write('aigw: not applied\n');
      return ExitCode.Findings;
    }
    for (const plan of plans) outcomes.push(await applyTo(client, plan, { body, headers, ifMatch, io, format }));
    return finish(outcomes, { format, io, version, dryRun: false });
  } finally {
    await client.close();
  }
}

/**
 * The dry-run answer of a gateway (another process, maybe another aigw version): checked for the
 * fields apply reads before it is rendered or compared, so a foreign answer is a rejection, not a crash
 * or a version called "undefined".
 */
function readPlan(gateway: string, body: Readonly<Record<string, unknown>>): Plan | undefined {
  const { liveVersion, version, changeSet } = body;
  if (typeof liveVersion !== 'string' || typeof version !== 'string' || !isChangeSet(changeSet)) return undefined;
  return { gateway, liveVersion, version, changeSet };
}

function isChangeSet(value: unknown): value is ChangeSet {
  return isRecord(value) && typeof value['changed'] === 'boolean'
    && ['routes', 'providers', 'credentials', 'audit'].every((list) => Array.isArray(value[list]));
}

async function applyTo(client: AdminClient, plan: Plan, context: { body: string; headers: Record<string, string>; ifMatch: string | undefined; io: Io; format: 'text' | 'json' }): Promise<GatewayOutcome> {
  if (plan.liveVersion === plan.version) return { gateway: plan.gateway, result: 'unchanged', version: plan.version };
  const expected = context.ifMatch === 'auto' ? plan.liveVersion : context.ifMatch;
  const sent = await send(client, plan.gateway, {
    method: 'POST', path: '/admin/reload', body: context.body,
    headers: { ...context.headers, ...(expected === undefined ? {} : { 'if-match': `"${expected}"` }) },
  });
  if ('outcome' in sent) return sent.outcome;
  const { response } = sent;
  const body = isRecord(response.body) ? response.body : {};
  // With a shared store, an earlier gateway's reload reaches this replica through Redis: the replica
  // answers that the change is already live (an older gateway: a 412 naming our own version) —
  // success, not a race lost.
  if (response.status === 200 && body['unchanged'] === true && body['version'] === plan.version) return { gateway: plan.gateway, result: 'synced', version: plan.version };
  if (response.status === 200) return { gateway: plan.gateway, result: 'applied', previousVersion: String(body['previousVersion']), version: String(body['version']) };
  if (response.status === 412 && (body['liveVersion'] === plan.version || body['storedVersion'] === plan.version)) {
    return { gateway: plan.gateway, result: 'synced', version: plan.version };
  }
  return rejected(plan.gateway, response, context.io, context.format);
}

/** The response, or the outcome when the gateway could not be reached. */
async function send(client: AdminClient, gateway: string, request: Parameters<AdminClient['request']>[1]): Promise<{ response: AdminResponse } | { outcome: GatewayOutcome }> {
  try {
    return { response: await client.request(gateway, request) };
  } catch (error) {
    if (error instanceof GatewayUnreachableError) return { outcome: { gateway, result: 'unreachable', message: error.message } };
    throw error;
  }
}

function rejected(gateway: string, response: AdminResponse, io: Io, format: 'text' | 'json'): GatewayOutcome {
  if (format === 'text') renderValidation(response, io);
  const diagnostics = format === 'json' ? validationDiagnostics(response) : undefined;
  return { gateway, result: 'rejected', status: response.status, message: describeRejection(response), ...(diagnostics === undefined ? {} : { diagnostics }) };
}

function printPlans(plans: readonly Plan[], label: string, io: Io): void {
  // One diff per distinct live version: N replicas in step print it once.
  const byLive = new Map<string, Plan[]>();
  for (const plan of plans) byLive.set(plan.liveVersion, [...(byLive.get(plan.liveVersion) ?? []), plan]);
  for (const [liveVersion, group] of byLive) {
    const [first] = group;
    if (first === undefined) continue;
    const names = group.map((plan) => plan.gateway).join(', ');
    io.stdout.write(renderChangeSetText(first.changeSet, { color: io.color, before: `${names} (live ${printable(shortVersion(liveVersion))})`, after: `${label} (${printable(shortVersion(first.version))})` }));
  }
}

function finish(outcomes: readonly GatewayOutcome[], context: { format: 'text' | 'json'; io: Io; version: string; dryRun: boolean }): ExitCode {
  const { io } = context;
  if (context.format === 'json') {
    io.stdout.write(`${JSON.stringify({ version: APPLY_JSON_VERSION, manifestVersion: context.version, dryRun: context.dryRun, gateways: outcomes }, null, 2)}\n`);
  } else {
    // Versions and messages are the gateway's text: escaped, as status prints them.
    const short = (version: string): string => printable(shortVersion(version));
    for (const outcome of outcomes) {
      switch (outcome.result) {
        case 'planned': break;
        case 'applied': io.stdout.write(`${outcome.gateway}: applied ${short(outcome.version)} (was ${short(outcome.previousVersion)})\n`); break;
        case 'synced': io.stdout.write(`${outcome.gateway}: ${short(outcome.version)} (already live through the shared store)\n`); break;
        case 'unchanged': io.stdout.write(`${outcome.gateway}: ${short(outcome.version)} already live\n`); break;
        default: io.stderr.write(`aigw: ${outcome.gateway}: ${printable(outcome.message ?? outcome.result)}\n`);
      }
    }
  }
  return exitCodeOf(outcomes);
}

/**
 * `auto` unless told otherwise: the diff the operator confirmed was computed against each gateway's
 * live version, and applying over any other version would ship a change nobody reviewed. Without it,
 * two concurrent applies to several replicas (no Redis) could each win on some and both report
 * success, leaving the fleet split in silence; with it the later one gets a 412 and exit 1.
 */
function parseIfMatch(value: unknown): string | undefined {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'none') return undefined;
  if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return value;
  throw new UsageError(`--if-match must be "auto" (the default), "none" or a full version (64 hex digits, as aigw status --format json prints), not ${String(value)}`);
}
