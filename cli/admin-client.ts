/**
 * The CLI side of the admin plane: loads the signing key, signs each request (runtime/admin/
 * sign-request.ts, the gateway's own format) and sends it with undici (loaded lazily, so `aigw --help`
 * never pays for it), with one timeout for the whole exchange and a bounded answer size. Used by apply,
 * rollback, status and `diff --gateway`.
 *
 * A gateway URL is the admin base URL (`http://10.0.0.7:8081`). `dns+http://name:8081` resolves the
 * name and addresses every A/AAAA record: point it at the headless Service and one flag reaches
 * every replica.
 */
import { lookup } from 'node:dns/promises';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Agent } from 'undici';
import { AdminKeysError, parseSigningKey, type SigningKey } from '../runtime/admin/admin-keys.js';
import { signAdminRequest } from '../runtime/admin/sign-request.js';
import type { Io } from './io.js';
import { InputError, UsageError } from './usage-error.js';

/** Default budget for one whole request (headers and body); AIGW_ADMIN_TIMEOUT_MS overrides it. */
export const DEFAULT_ADMIN_TIMEOUT_MS = 10_000;

/**
 * The largest admin answer read: 16 MiB. The biggest real one is GET /admin/config or a dry run's
 * change set for a manifest of at most 1 MiB; anything past this is not an aigw admin port.
 */
export const MAX_ADMIN_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface AdminResponse {
  readonly status: number;
  /** Parsed JSON, or undefined when the body was not JSON. */
  readonly body: unknown;
}

/** The gateway did not answer (refused, DNS, timeout, reset): exit 2. */
export class GatewayUnreachableError extends InputError {
  constructor(readonly gateway: string, reason: string, options?: { cause?: unknown }) {
    super(`gateway ${gateway} is unreachable: ${reason}`, options);
    this.name = 'GatewayUnreachableError';
  }
}

/** The gateway's answer is larger than MAX_ADMIN_RESPONSE_BYTES: handled like an unreachable gateway (exit 2). */
export class GatewayAnswerTooLargeError extends GatewayUnreachableError {
  constructor(gateway: string, readonly maxBytes: number) {
    super(gateway, 'answer too large');
    this.message = `gateway ${gateway} sent an answer larger than ${maxBytes} bytes; is this an aigw admin port?`;
    this.name = 'GatewayAnswerTooLargeError';
  }
}

export interface AdminClient {
  request(gateway: string, request: { readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: string;
    readonly headers?: Readonly<Record<string, string>> }): Promise<AdminResponse>;
  close(): Promise<void>;
}

/** `--key-id`/`--key-file`, else AIGW_ADMIN_KEY_ID / AIGW_ADMIN_KEY_FILE; missing or unusable → exit 2. */
export async function loadSigningKey(options: Readonly<Record<string, unknown>>, io: Io): Promise<SigningKey> {
  const keyId = stringOption(options['keyId']) ?? io.env['AIGW_ADMIN_KEY_ID'];
  const keyFile = stringOption(options['keyFile']) ?? io.env['AIGW_ADMIN_KEY_FILE'];
  if (keyId === undefined || keyId === '' || keyFile === undefined || keyFile === '') {
    throw new UsageError('admin requests are signed: give --key-id and --key-file (or AIGW_ADMIN_KEY_ID and AIGW_ADMIN_KEY_FILE); aigw keys generate makes a key');
  }
  const path = resolve(io.cwd, keyFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    // Like ssh: a private key others can read is no longer private; say so, but go on.
    if (((await stat(path)).mode & 0o077) !== 0) io.stderr.write(`aigw: warning: ${keyFile} is readable by other users; chmod 600 it\n`);
  } catch (error) {
    throw new InputError(`cannot read the key file ${keyFile}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return parseSigningKey(keyId, text, keyFile);
  } catch (error) {
    if (error instanceof AdminKeysError) throw new UsageError(error.message);
    throw error;
  }
}

/** The --gateway values (at least one), with dns+ URLs expanded to one URL per address. */
export async function resolveGateways(options: Readonly<Record<string, unknown>>, command: string): Promise<string[]> {
  const raw = options['gateway'];
  const values = Array.isArray(raw) ? raw.filter((value): value is string => typeof value === 'string') : typeof raw === 'string' ? [raw] : [];
  if (values.length === 0) throw new UsageError(`${command} needs at least one --gateway URL (the admin port, e.g. http://127.0.0.1:8081)`);
  const gateways: string[] = [];
  for (const value of values) gateways.push(...await expandGateway(value));
  return [...new Set(gateways)];
}

async function expandGateway(value: string): Promise<string[]> {
  const viaDns = value.startsWith('dns+');
  let url: URL;
  try {
    url = new URL(viaDns ? value.slice(4) : value);
  } catch {
    throw new UsageError(`--gateway ${value} is not a URL (e.g. http://127.0.0.1:8081)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--gateway ${value}: only http and https URLs`);
  if (url.search !== '' || url.hash !== '') throw new UsageError(`--gateway ${value}: give the base URL without query or fragment`);
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  if (!viaDns) return [base];
  let addresses;
  try {
    addresses = await lookup(url.hostname, { all: true });
  } catch (error) {
    throw new GatewayUnreachableError(value, `cannot resolve ${url.hostname}`, { cause: error });
  }
  return addresses.map(({ address, family }) => {
    const each = new URL(base);
    each.hostname = family === 6 ? `[${address}]` : address;
    return `${each.origin}${each.pathname.replace(/\/+$/, '')}`;
  }).sort();
}

/** Test seams; the CLI itself takes the timeout from AIGW_ADMIN_TIMEOUT_MS and the default limit. */
export interface AdminClientOptions {
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

export async function createAdminClient(key: SigningKey, io: Io, options: AdminClientOptions = {}): Promise<AdminClient> {
  const timeoutMs = options.timeoutMs ?? timeoutFrom(io.env['AIGW_ADMIN_TIMEOUT_MS']);
  const maxResponseBytes = options.maxResponseBytes ?? MAX_ADMIN_RESPONSE_BYTES;
  const undici = await import('undici');
  const agent: Agent = new undici.Agent({ connect: { timeout: timeoutMs }, keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  return {
    async request(gateway, request) {
      const url = new URL(gateway);
      const pathAndQuery = `${url.pathname.replace(/\/+$/, '')}${request.path}`;
      const body = request.body ?? '';
      const headers = {
        ...request.headers,
        ...signAdminRequest({
          method: request.method, pathAndQuery, body, timestamp: Math.floor(Date.now() / 1000),
          ...(request.headers?.['if-match'] === undefined ? {} : { ifMatch: request.headers['if-match'] }),
        }, key),
      };
      // One deadline for the whole exchange, headers and body. A plain timer held (and cleared)
      // here, not AbortSignal.timeout inside AbortSignal.any: on Node 20 the composite can let the
      // timeout signal be garbage-collected before it fires (nodejs/node#57736), and undici's
      // bodyTimeout only measures the gaps between chunks, so a trickling gateway held the CLI forever.
      const controller = new AbortController();
      const timedOut = new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
      const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
      const interrupted = (): void => controller.abort(new DOMException('interrupted', 'AbortError'));
      if (io.shutdown.aborted) interrupted();
      else io.shutdown.addEventListener('abort', interrupted, { once: true });
      try {
        const response = await undici.request(`${url.origin}${pathAndQuery}`, {
          method: request.method,
          headers,
          ...(request.method === 'POST' ? { body } : {}),
          dispatcher: agent,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: controller.signal,
        });
        const text = await readBoundedBody(response.body, maxResponseBytes, gateway);
        return { status: response.statusCode, body: parseJson(text) };
      } catch (error) {
        if (error instanceof GatewayUnreachableError) throw error;
        throw new GatewayUnreachableError(gateway, error === timedOut ? timedOut.message : describeNetworkError(error, timeoutMs), { cause: error });
      } finally {
        clearTimeout(timer);
        io.shutdown.removeEventListener('abort', interrupted);
      }
    },
    close: () => agent.close(),
  };
}

/** The body as text, refused (and the connection dropped) past `maxBytes`: an endless answer costs at most that. */
async function readBoundedBody(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, maxBytes: number, gateway: string): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of body) {
    total += part.byteLength;
    if (total > maxBytes) {
      body.destroy();
      throw new GatewayAnswerTooLargeError(gateway, maxBytes);
    }
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** `message (code)` from an error envelope, or the status line. */
export function describeRejection(response: AdminResponse): string {
  const error = isRecord(response.body) && isRecord(response.body['error']) ? response.body['error'] : undefined;
  if (error === undefined) return `HTTP ${response.status}`;
  return `${String(error['message'] ?? '')} (${String(error['code'] ?? response.status)})`;
}

/** Text a gateway sent, safe for a terminal (table rows, messages). */
export { printable } from './printable.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function shortVersion(version: unknown): string {
  return typeof version === 'string' ? version.slice(0, 12) : '?';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function timeoutFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ADMIN_TIMEOUT_MS;
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new UsageError(`AIGW_ADMIN_TIMEOUT_MS must be a positive number of milliseconds, not "${value}"`);
  return Number(value);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = isRecord(error) && typeof error['code'] === 'string' ? error['code'] : '';
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || code.endsWith('_TIMEOUT')) return `no answer within ${timeoutMs} ms`;
  if (name === 'AbortError') return 'interrupted';
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET': return 'connection reset';
    default: return error instanceof Error ? error.message : String(error);
  }
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
