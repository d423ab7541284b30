/**
 * The commander program. Each action lazy-imports its command module, so `aigw --help` and
 * `aigw validate` never load fastify, ink, React or the Elasticsearch client (style §D).
 * `main` never exits the process: it returns the exit code for `bin.ts`.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, type Io } from './io.js';
import { printable } from './printable.js';
import { InputError, UsageError } from './usage-error.js';

/** The shape every command module exports. */
export type CommandRun = (args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io) => Promise<ExitCode>;

type CommandModule = { run: CommandRun };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function formatOption(choices: readonly string[]): Option {
  return new Option('--format <format>', 'output format').choices([...choices]).default('text');
}

/** Wires a command's action: lazy-imports its module, runs it, and keeps its exit code. */
type ActionFor = (load: () => Promise<CommandModule>) => (...parameters: unknown[]) => Promise<void>;

export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const program = new Command('aigw')
    .description('AI gateway and APIops toolchain: one OpenAI-compatible endpoint, many providers, routes.yaml reviewed like code.')
    .version(await packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run aigw --help for usage)');

  const action: ActionFor = (load) =>
    async (...parameters: unknown[]): Promise<void> => {
      // commander passes positional arguments, then the options object, then the Command itself.
      const command = parameters[parameters.length - 1] as Command;
      const module = await load();
      exitCode = await module.run(command.args, command.opts(), io);
    };

  registerManifestCommands(program, action);
  await registerRuntimeCommands(program, action);
  registerAdminCommands(program, action);
  registerAuditCommands(program, action);
  registerKeysCommand(program, action);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

/** validate, diff, dry-run, simulate: the manifest toolchain, usable without a gateway. */
function registerManifestCommands(program: Command, action: ActionFor): void {
  program
    .command('validate')
    .description('Validate manifests: schema and semantic lint, with file:line:col diagnostics.')
    .argument('<file...>', 'manifest files ("-" for stdin)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github', 'sarif']).default('text'))
    .option('--strict', 'warnings fail too (exit 1)', false)
    .option('--allow-missing-env', 'a missing ${VAR} is a warning instead of an error (CI without secrets)', false)
    .addHelpText('after', '\nExit codes: 0 clean (warnings allowed), 1 findings (errors; warnings too with --strict), 2 usage or unreadable file.')
    .action(action(() => import('./commands/validate.js')));

  program
    .command('diff')
    .description('Semantic diff between two manifests, or between a manifest and a live gateway.')
    .argument('<old>', 'old manifest ("-" for stdin); with --gateway, the new manifest')
    .argument('[new]', 'new manifest ("-" for stdin)')
    .addOption(formatOption(['text', 'json']))
    .option('--exit-code', 'exit 1 when there are changes', false)
    .option('--gateway <url>', "diff against a running gateway's live config")
    .option('--key-id <id>', 'admin key id')
    .option('--key-file <path>', 'admin key file (HMAC secret or Ed25519 private key)')
    .addHelpText('after', '\n${VAR} references are compared as written: diff needs no secrets set.\nExit codes: 0 done (1 with --exit-code when something changed), 2 unreadable or invalid input.')
    .action(action(() => import('./commands/diff.js')));

  program
    .command('dry-run')
    .description('Which route matches, the attempt plan, and the exact native requests. No network.')
    .argument('<manifest>', 'manifest file ("-" for stdin)')
    .option('--request <file>', 'an OpenAI chat-completions request body (JSON; "-" for stdin)')
    .option('--model <model>', 'requested model (with --prompt)')
    .option('--prompt <text>', 'user message (with --model)')
    .option('--stream', 'build streaming requests', false)
    .option('--allow-missing-env', 'a missing ${VAR} is a warning instead of an error', false)
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', '\nExit codes: 0 a route matches and a candidate can build the request, 1 no route matches, the request is refused or the manifest has errors, 2 usage or unreadable input.')
    .action(action(() => import('./commands/dry-run.js')));

  program
    .command('simulate')
    .description('Replay a scenario through the real engine and adapters on a virtual clock.')
    .argument('<manifest>', 'manifest file ("-" for stdin)')
    .option('--scenario <file>', 'scenario file (YAML; "-" for stdin)')
    .option('--requests <n>', 'number of requests (overrides the scenario)')
    .option('--seed <seed>', 'PRNG seed (overrides the scenario)')
    .option('--expect <expr>', "a CI gate, e.g. 'success_rate>=0.999' (repeatable)", collect, [])
    .option('--no-live', 'never draw the live view')
    .option('--allow-missing-env', 'a missing ${VAR} is a warning instead of an error (the default: simulate needs no secret)', true)
    .option('--no-allow-missing-env', 'a missing ${VAR} is an error, as for serve')
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', '\nExit codes: 0 clean, 1 a failed --expect or manifest errors, 2 usage, unreadable input or an invalid scenario.')
    .action(action(() => import('./commands/simulate.js')));
}

/** serve and mock: the two servers (their help texts come from the settings and fault tables). */
async function registerRuntimeCommands(program: Command, action: ActionFor): Promise<void> {
  const serve = program
    .command('serve')
    .description('Run the gateway. Settings come from flags and AIGW_* environment variables; routing policy from the manifest.')
    .argument('[manifest]', 'manifest file (or AIGW_MANIFEST)')
    .addOption(formatOption(['text', 'json']));
  const { SETTINGS, settingsHelp } = await import('../runtime/server/settings.js');
  for (const spec of SETTINGS) {
    if (spec.flag === undefined) continue;
    const option = spec.kind === 'boolean'
      ? new Option(`--${spec.flag}`, spec.description)
      : new Option(`--${spec.flag} <value>`, spec.description);
    if (spec.choices !== undefined) option.choices([...spec.choices]);
    serve.addOption(option);
  }
  serve.addHelpText('after', settingsHelp()).action(action(() => import('./commands/serve.js')));

  const { faultHelp } = await import('../runtime/mock/faults.js');
  program
    .command('mock')
    .description("Serve every provider's native API from the recorded fixtures, under /<provider-id>/…")
    .option('--port <port>', 'listen port (0 = any free port)', '8090')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--speed <x>', 'replay speed: 2 = twice as fast, 0 = no recorded delays', '1')
    .option('--fault <spec>', "inject a fault, e.g. 'provider=anthropic,status=529,first=3' (repeatable)", collect, [])
    .option('--fixtures <dir>', 'fixtures folder (default: the bundled one)')
    .addOption(formatOption(['text', 'json']))
    .addHelpText('after', [
      '',
      'Fault spec: comma-separated keys; also per request in the x-aigw-mock-fault header. Chunks count from 1.',
      faultHelp(),
      '',
      'Examples:',
      "  --fault 'provider=openai,status=500,first=1'           500 once, then healthy",
      "  --fault 'provider=anthropic,status=529,for_ms=60000'   down for 60 s, then healthy",
      "  -H 'x-aigw-mock-fault: status=429,retry_after=2'       one request rate-limited",
      '',
      'Provider base URLs: <url>/<provider-id> + the path of its default base URL (printed at start).',
      'Bedrock accepts SigV4 signed with access key AKIDMOCK / secret mock-secret (any region), or a bearer key.',
      'GET /__mock/log and DELETE /__mock/log: the request log; PUT /__mock/faults {"faults": [...]}: replace global faults.',
    ].join('\n'))
    .action(action(() => import('./commands/mock.js')));
}

/** The admin key options apply, rollback and status share. */
function withAdminKey(command: Command): Command {
  return command
    .option('--key-id <id>', 'admin key id (AIGW_ADMIN_KEY_ID)')
    .option('--key-file <path>', 'HMAC secret or Ed25519 private key (AIGW_ADMIN_KEY_FILE)');
}

/** apply, rollback, status: signed calls to running gateways. */
function registerAdminCommands(program: Command, action: ActionFor): void {
  withAdminKey(program
    .command('apply')
    .description('Validate, diff against the live config, confirm, and send a signed reload to each gateway.')
    .argument('<manifest>', 'manifest file')
    .option('--gateway <url>', 'admin URL of a gateway (repeatable)', collect, []))
    .option('--dry-run', 'validate and diff server-side without swapping', false)
    .option('--if-match <version>', "'auto' (default: the version each gateway was diffed against), 'none' (overwrite whatever is live) or an explicit version")
    .option('--yes', 'do not ask for confirmation', false)
    .addOption(formatOption(['text', 'json']))
    .action(action(() => import('./commands/apply.js')));

  withAdminKey(program
    .command('rollback')
    .description('Signed rollback of gateways to the previous (or a given) manifest version.')
    .option('--gateway <url>', 'admin URL of a gateway (repeatable)', collect, [])
    .option('--to <version>', 'version to roll back to (default: the previous one)'))
    .addOption(formatOption(['text', 'json']))
    .action(action(() => import('./commands/rollback.js')));

  withAdminKey(program
    .command('status')
    .description("Every gateway's live version, load time and uptime; flags drift (exit 1).")
    .option('--gateway <url>', 'admin URL of a gateway (repeatable)', collect, []))
    .addOption(formatOption(['text', 'json']))
    .action(action(() => import('./commands/status.js')));
}

/** audit tail and audit search: the same filters over a JSONL file or an Elasticsearch index. */
function registerAuditCommands(program: Command, action: ActionFor): void {
  const audit = program.command('audit').description('Read the audit trail (JSONL file or Elasticsearch).');
  for (const sub of ['tail', 'search'] as const) {
    audit
      .command(sub)
      .description(sub === 'tail' ? 'The most recent records, oldest first.' : 'Records matching filters, newest first.')
      .option('--file <path>', 'JSONL audit file, rotated files included (default $AIGW_AUDIT_FILE or ./audit.jsonl)')
      .option('--es-url <url>', 'Elasticsearch URL (instead of --file)')
      .option('--index <name>', 'Elasticsearch index', 'aigw-audit')
      .option('--route <name>', 'only this route')
      .option('--provider <id>', 'only this provider')
      .option('--status <code>', 'only this final HTTP status')
      .option('--since <time>', 'ISO time or a duration like 15m, 2h')
      .option('--limit <n>', 'at most this many records', '20')
      .addOption(formatOption(['text', 'json']))
      .addHelpText('after', '\nElasticsearch API key: $AIGW_AUDIT_ES_API_KEY. Exit codes: 0 (also with no match), 2 bad flags or unreadable source.')
      .action(action(async () => {
        const module = await import('./commands/audit.js');
        return { run: (args, options, commandIo) => module.run([sub, ...args], options, commandIo) };
      }));
  }
}

function registerKeysCommand(program: Command, action: ActionFor): void {
  program.command('keys').description('Admin signing keys.')
    .command('generate')
    .description('Generate an Ed25519 key pair or an HMAC key, written with 0600 permissions.')
    .addOption(new Option('--type <type>', 'key type').choices(['ed25519', 'hmac']).default('ed25519'))
    .requiredOption('--out <prefix>', 'output path prefix (<prefix>.key, and <prefix>.pub for ed25519)')
    .option('--key-id <id>', 'key id to print in the snippet')
    .addOption(formatOption(['text', 'json']))
    .action(action(() => import('./commands/keys.js')));
}

function handleError(error: unknown, io: Io): ExitCode {
  if (error instanceof CommanderError) {
    // --help and --version end with exitCode 0 and have already printed.
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  if (error instanceof UsageError || error instanceof InputError) {
    // A message may quote a file's bytes (JSON.parse does): never raw escape sequences on a terminal.
    io.stderr.write(`aigw: ${printable(error.message)}\n`);
    if (io.env['AIGW_DEBUG'] === '1' && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return ExitCode.Usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`aigw: unexpected error: ${printable(message)}\n`);
  if (io.env['AIGW_DEBUG'] === '1' && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write('aigw: set AIGW_DEBUG=1 for the stack trace\n');
  return ExitCode.Usage;
}

async function packageVersion(): Promise<string> {
  const { readPackageJson } = await import('../runtime/package-root.js');
  return readPackageJson().version;
}
