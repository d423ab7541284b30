/**
 * `aigw dry-run MANIFEST (--request FILE | --model M --prompt TEXT) [--stream]`: which route matches
 * and why, the attempt plan with each target's probability of being first, and the exact native
 * request each candidate's adapter builds, secrets masked. No network, no clock: the engine's own
 * match, plan and adapters (runtime/routing/explain-plan.ts).
 * Exit 0 when a route matches, 1 when none does or the manifest has errors, 2 on usage or I/O errors.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import { explainPlan } from '../../runtime/routing/explain-plan.js';
import { renderDiagnosticsText } from '../format/diagnostics-text.js';
import { renderDryRunJson } from '../format/dry-run-json.js';
import { renderDryRunText } from '../format/dry-run-text.js';
import { ExitCode, type Io } from '../io.js';
import { loadManifestSource, openManifestSource, specFromArgument } from '../manifest-source.js';
import { InputError, UsageError } from '../usage-error.js';

/** A request file larger than this is refused (the gateway's own body limit is of the same order). */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export async function run(args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const format = options['format'] ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}`);
  const [manifestArgument] = args;
  if (manifestArgument === undefined) throw new UsageError('dry-run needs a manifest file');
  const request = await buildRequest(options, io);

  const source = openManifestSource(specFromArgument(manifestArgument), io);
  const loaded = await loadManifestSource(source, io, { allowMissingEnv: options['allowMissingEnv'] === true });
  if (loaded.manifest === undefined) {
    io.stderr.write(renderDiagnosticsText([{ file: source.label, diagnostics: loaded.diagnostics }], { color: io.color }));
    return ExitCode.Findings;
  }
  const { getAdapter } = await import('../../runtime/adapters/registry.js');
  const explanation = explainPlan(loaded.manifest, request, getAdapter);
  io.stdout.write(format === 'json' ? renderDryRunJson(request, explanation) : renderDryRunText(request, explanation, { color: io.color }));
  return explanation.matched ? ExitCode.Ok : ExitCode.Findings;
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

async function readRequest(file: string, io: Io): Promise<string> {
  try {
    const bytes = file === '-' ? await io.readStdin() : await readFile(resolve(io.cwd, file));
    if (bytes.byteLength > MAX_REQUEST_BYTES) throw new InputError(`${file} is larger than ${MAX_REQUEST_BYTES} bytes`);
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new InputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code}`, { cause: error });
  }
}

/** The shape the engine needs; the adapters check the rest as they translate. */
function parseRequest(text: string, file: string): ChatCompletionRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${file} must hold a JSON object (a chat-completions request)`);
  const record = value as Record<string, unknown>;
  if (typeof record['model'] !== 'string') throw new InputError(`${file}: "model" must be a string`);
  if (!Array.isArray(record['messages']) || record['messages'].length === 0) throw new InputError(`${file}: "messages" must be a non-empty array`);
  // Checked above: an object with a model string and a messages array.
  return value as ChatCompletionRequest;
}
