/**
 * `aigw mock`: serves every provider's native API from the recorded fixtures (runtime/mock) on
 * 127.0.0.1 until SIGTERM/SIGINT, printing where each provider lives.
 */
import { resolve } from 'node:path';
import { PROVIDER_TYPES } from '../../runtime/adapters/contract.js';
import { FaultSpecError, parseFault, type FaultSpec } from '../../runtime/mock/faults.js';
import { FixtureError } from '../../runtime/mock/fixture-index.js';
import { mockBaseUrl } from '../../runtime/mock/mock-base-url.js';
import { MOCK_AWS_CREDENTIALS } from '../../runtime/mock/sigv4-verify.js';
import { startMock } from '../../runtime/mock/start-mock.js';
import type { Io } from '../io.js';
import { ExitCode } from '../io.js';
import { InputError, UsageError } from '../usage-error.js';

function integerOption(name: string, raw: unknown, min: number, max: number): number {
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`);
  }
  return value;
}

function speedOption(raw: unknown): number {
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--speed must be a number >= 0 (0 = no delays), got "${String(raw)}"`);
  }
  return value;
}

function faultOptions(raw: unknown): FaultSpec[] {
  const list = Array.isArray(raw) ? raw : [];
  try {
    return list.map((spec) => parseFault(String(spec)));
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(`--fault: ${error.message}`);
    throw error;
  }
}

export async function run(_args: readonly string[], options: Readonly<Record<string, unknown>>, io: Io): Promise<ExitCode> {
  const port = integerOption('port', options['port'] ?? '8090', 0, 65535);
  const speed = speedOption(options['speed'] ?? '1');
  const faults = faultOptions(options['fault']);
  const host = typeof options['host'] === 'string' ? options['host'] : '127.0.0.1';
  const fixturesDir = typeof options['fixtures'] === 'string' ? resolve(io.cwd, options['fixtures']) : undefined;

  let mock;
  try {
    mock = await startMock({ port, host, speed, faults, ...(fixturesDir === undefined ? {} : { fixturesDir }) });
  } catch (error) {
    if (error instanceof FixtureError) throw new InputError(`fixtures: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTFOUND / EAI_AGAIN: --host names no address this machine can resolve.
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new InputError(`cannot listen on ${host}:${port} (${code})`);
    }
    throw error;
  }
  const providers = Object.fromEntries(PROVIDER_TYPES.map((type) => [type, mockBaseUrl(type, mock.url)]));
  if (options['format'] === 'json') {
    io.stdout.write(`${JSON.stringify({ version: 1, url: mock.url, speed, faults: faults.map((fault) => fault.text), providers })}\n`);
  } else {
    io.stdout.write(`aigw mock listening on ${mock.url} (speed ${speed}${faults.length === 0 ? '' : `, ${faults.length} fault(s)`})\n`);
    for (const [type, url] of Object.entries(providers)) io.stdout.write(`  ${type.padEnd(13)}${url}\n`);
    io.stdout.write(`request log: GET ${mock.url}/__mock/log · Bedrock SigV4 key: ${MOCK_AWS_CREDENTIALS.accessKeyId} / ${MOCK_AWS_CREDENTIALS.secretAccessKey}\n`);
  }
  if (!io.shutdown.aborted) await new Promise<void>((done) => io.shutdown.addEventListener('abort', () => done(), { once: true }));
  await mock.close();
  return ExitCode.Ok;
}
