/**
 * `aigw dry-run MANIFEST (--request FILE | --model M --prompt TEXT) [--stream]`: which route matches
 * and why, the attempt plan with each target's probability of being first, and the exact native
 * request each candidate's adapter builds, secrets masked. No network, no clock: the engine's own
 * match, plan and adapters (runtime/routing/explain-plan.ts).
 * The request first passes serve's own body check (a malformed one shows serve's 400, like a 404).
 * Exit 0 when a route matches, 1 when none does, the body check refuses the request or the manifest
 * has errors, 2 on usage or I/O errors.
 */
import { AigwError } from '../../runtime/errors.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import { explainPlan } from '../../runtime/routing/explain-plan.js';
import { renderDryRunJson, renderDryRunRefusedJson } from '../format/dry-run-json.js';
import { renderDryRunRefusedText, renderDryRunText } from '../format/dry-run-text.js';
import { ExitCode, type Io } from '../io.js';
import { printUnresolvedReferences, reportManifestDiagnostics, unresolvedReferences } from '../manifest-diagnostics.js';
import { loadManifestSource, openManifestSource, specFromArgument } from '../manifest-source.js';
import { readBoundedInput } from '../read-input.js';
import { InputError, UsageError } from '../usage-error.js';

/** A request file (or stdin) larger than this is refused: the gateway's default body limit (AIGW_BODY_LIMIT). */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = options['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}`);
  const [manifestArgument] = args;
  if (manifestArgument === undefined) throw new UsageError('dry-run needs a manifest file');
  if (manifestArgument === '-' && options['request'] === '-') throw new UsageError('stdin (-) can be read only once: give the manifest or the request as a file');
  const request = await buildRequest(options, io);

  const source = openManifestSource(specFromArgument(manifestArgument), io);
  const loaded = await loadManifestSource(source, io, { allowMissingEnv: options['allowMissingEnv'] === true });
  if (loaded.manifest === undefined) {
    reportManifestDiagnostics(io, format, source.label, loaded);
    return ExitCode.Findings;
  }
  // serve checks every body before routing (runtime/server/request-validator.ts); so does dry-run,
  // so a malformed request shows the 400 the client would get, not an adapter's TypeError.
  const refusal = await checkLikeServe(request);
  if (refusal !== undefined) {
    io.stdout.write(format === 'json' ? renderDryRunRefusedJson(request, refusal) : renderDryRunRefusedText(request, refusal, { color: io.color }));
    return ExitCode.Findings;
  }
  const warnings = unresolvedReferences(loaded);
  printUnresolvedReferences(io, format, source.label, warnings);
  const { getAdapter } = await import('../../runtime/adapters/registry.js');
  const explanation = explainPlan(loaded.manifest, request, getAdapter);
  io.stdout.write(format === 'json' ? renderDryRunJson(request, explanation, warnings) : renderDryRunText(request, explanation, { color: io.color }));
  // Matched, but no candidate can build the request (n > 1, a parameter nobody honours): serve answers 400.
  const buildable = explanation.matched && explanation.candidates.some((candidate) => candidate.buildError === undefined);
  return buildable ? ExitCode.Ok : ExitCode.Findings;
}

async function buildRequest(options: Readonly<Record<string, unknown>>, io: Io): Promise<ChatCompletionRequest> {
  const file = options['request'];
  const model = options['model'];
  const prompt = options['prompt'];
  const stream = options['stream'] === true;
  if (typeof file === 'string') {
    if (prompt !== undefined) throw new UsageError('use either --request FILE or --model with --prompt, not both');
    const parsed = parseRequest(await readRequest(file, io), file);
    return {
      ...parsed,
      ...(typeof model === 'string' ? { model } : {}),
      ...(stream ? { stream: true } : {}),
    };
  }
  if (typeof model !== 'string' || typeof prompt !== 'string') {
    throw new UsageError('dry-run needs --request FILE, or --model M with --prompt TEXT');
  }
  return { model, messages: [{ role: 'user', content: prompt }], ...(stream ? { stream: true } : {}) };
}

/** The 400 serve would answer for this body, or undefined when serve would route it. */
async function checkLikeServe(request: ChatCompletionRequest): Promise<AigwError | undefined> {
  const { createRequestValidator } = await import('../../runtime/server/request-validator.js');
  try {
    createRequestValidator()(request);
    return undefined;
  } catch (error) {
    if (error instanceof AigwError) return error;
    throw error;
  }
}

async function readRequest(file: string, io: Io): Promise<string> {
  return (await readBoundedInput(file, io, MAX_REQUEST_BYTES)).toString('utf8');
}

/** A JSON object; serve's body check (checkLikeServe) does the rest. */
function parseRequest(text: string, file: string): ChatCompletionRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${file} must hold a JSON object (a chat-completions request)`);
  // Its fields are serve's body check's to judge (checkLikeServe): a request without messages is the
  // 400 a client would get (exit 1), not a usage error.
  return value as ChatCompletionRequest;
}
