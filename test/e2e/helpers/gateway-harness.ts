/**
 * End-to-end harness: `aigw mock` and the gateway (`startGateway`, in-process) on real sockets on
 * 127.0.0.1:0, a manifest written per test whose providers point at the mock, and the official
 * `openai` SDK as the client (its own retries off unless a test asks for them). Everything opened is
 * closed in `t.after`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import OpenAI from 'openai';
import type { ProviderType } from '../../../runtime/adapters/contract.js';
import { mockBaseUrl } from '../../../runtime/mock/mock-base-url.js';
import { startMock, type RunningMock, type StartMockOptions } from '../../../runtime/mock/start-mock.js';
import { resolveSettings, type Settings } from '../../../runtime/server/settings.js';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../../runtime/server/start-gateway.js';

/** A test context, or a suite scope (below) for resources shared by a `describe` block. */
export interface Closer {
  after(cleanup: () => Promise<unknown> | unknown): void;
}

/**
 * For `describe` blocks (a `before` hook's context has no `after` on Node 20): call at describe level
 * with node:test's `after`, then pass the scope to the harness inside `before`.
 */
export function suiteScope(registerAfter: (cleanup: () => Promise<void>) => void): Closer {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  registerAfter(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return { after: (cleanup) => { cleanups.push(cleanup); } };
}

const stacks = new WeakMap<Closer, (() => Promise<unknown> | unknown)[]>();

/** Registers a cleanup; a context's cleanups run last-in first-out (node:test runs after hooks in order). */
export function onClose(t: Closer, cleanup: () => Promise<unknown> | unknown): void {
  let stack = stacks.get(t);
  if (stack === undefined) {
    const created: (() => Promise<unknown> | unknown)[] = [];
    stack = created;
    stacks.set(t, created);
    t.after(async () => {
      for (const close of created.reverse()) await close();
    });
  }
  stack.push(cleanup);
}

export async function tempDirectory(t: Closer, prefix = 'aigw-e2e-'): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  onClose(t, () => rm(directory, { recursive: true, force: true }));
  return directory;
}

export async function startTestMock(t: Closer, options: StartMockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ speed: 0, ...options });
  onClose(t, () => mock.close());
  return mock;
}

/**
 * A `providers:` block pointing each listed provider at the mock with a literal test key
 * (`provider: type` or `id: type` when the id differs, e.g. `openai-b: openai`).
 */
export function mockProviders(mockUrl: string, providers: Readonly<Record<string, ProviderType>>, extra: Readonly<Record<string, string>> = {}): string {
  const lines = ['providers:'];
  for (const [id, type] of Object.entries(providers)) {
    const key = type === 'ollama' || type === 'vllm' ? '' : `, api_key: "test-${id}-key"`;
    const typeField = id === type ? '' : `, type: ${type}`;
    const more = extra[id] === undefined ? '' : `, ${extra[id] ?? ''}`;
    lines.push(`  ${id}: { base_url: "${mockBaseUrl(type, mockUrl)}"${typeField}${key}${more} }`);
  }
  return lines.join('\n');
}

export interface GatewayHandle {
  readonly gateway: RunningGateway;
  readonly url: string;
  /** OpenAI SDK client on the gateway (`maxRetries: 0`, the given key or "anything"). */
  readonly client: OpenAI;
  readonly directory: string;
  readonly auditFile: string;
  /** The JSON log lines the gateway wrote so far. */
  logText(): string;
  logLines(): readonly Record<string, unknown>[];
  /** Flushes the audit writer and returns the records written so far. */
  auditRecords(): Promise<readonly AuditLine[]>;
  /** A fresh SDK client (another key, retries on, …). */
  newClient(options?: ConstructorParameters<typeof OpenAI>[0]): OpenAI;
  metricsText(): Promise<string>;
}

/** The audit fields the tests read. */
export interface AuditLine {
  readonly http: { readonly request: { readonly id: string }; readonly response: { readonly status_code: number } };
  readonly gen_ai: { readonly usage?: { readonly input_tokens: number; readonly output_tokens: number }; readonly response?: { readonly model?: string } };
  readonly aigw: {
    readonly route?: string; readonly provider?: string; readonly model?: string; readonly failover: boolean; readonly stream: boolean; readonly client_aborted?: boolean;
    readonly attempts: readonly { readonly provider: string; readonly model: string; readonly status?: number; readonly reason?: string; readonly outcome: string }[];
    readonly usage?: { readonly total_tokens: number };
  };
  readonly error?: { readonly code: string; readonly message: string };
  readonly [key: string]: unknown;
}

/**
 * The usual `describe` setup: one mock and one gateway for the block (manifest built from the mock),
 * the mock's global faults cleared after each test. `ready` receives both once they listen.
 */
export function gatewaySuite(
  ready: (started: { mock: RunningMock; handle: GatewayHandle }) => void,
  manifest: (mock: RunningMock) => string,
  options: StartOptions = {},
): void {
  const scope = suiteScope(after);
  let started: { mock: RunningMock; handle: GatewayHandle } | undefined;
  before(async () => {
    const mock = await startTestMock(scope);
    started = { mock, handle: await startTestGateway(scope, manifest(mock), options) };
    ready(started);
  });
  afterEach(() => started?.mock.setFaults([]));
}

export interface StartOptions {
  /** Settings beyond the harness defaults (port 0, audit file in a temp folder, 5 s drain). */
  readonly settings?: Partial<Settings>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly overrides?: GatewayOverrides;
  /** Bearer key for the default client (default "anything"). */
  readonly apiKey?: string;
}

export async function startTestGateway(t: Closer, manifest: string, options: StartOptions = {}): Promise<GatewayHandle> {
  const directory = await tempDirectory(t);
  const manifestFile = join(directory, 'routes.yaml');
  await writeFile(manifestFile, manifest);
  const auditFile = join(directory, 'audit.jsonl');
  const settings: Settings = {
    ...resolveSettings({}, {}, manifestFile),
    port: 0,
    auditFile,
    drainTimeoutMs: 5_000,
    ...options.settings,
  };
  let log = '';
  const gateway = await startGateway(settings, options.env ?? {}, {
    logStream: { write: (line: string) => { log += line; } },
    ...options.overrides,
  });
  onClose(t, () => gateway.close());
  const newClient = (clientOptions: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI =>
    new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: options.apiKey ?? 'anything', maxRetries: 0, timeout: 20_000, ...clientOptions });
  return {
    gateway,
    url: gateway.url,
    client: newClient(),
    directory,
    auditFile,
    logText: () => log,
    logLines: () => log.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    async auditRecords() {
      await gateway.audit.flush(5_000);
      let text = '';
      try {
        text = await readFile(auditFile, 'utf8');
      } catch {
        return [];
      }
      return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditLine);
    },
    newClient,
    async metricsText() {
      const response = await fetch(`${gateway.url}/metrics`);
      return response.text();
    },
  };
}

/** Polls `check` (every 10 ms, up to `timeoutMs`) until it returns a value; for effects that land after a response. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3_000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One Prometheus sample's value (`name{labels}`; labels matched as a subset), 0 when absent. */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) total += Number(match[4]);
  }
  return total;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** POSTs a JSON body and reads the whole raw response (SSE framing checks the SDK would hide). */
export async function postRaw(url: string, body: unknown, headers: Readonly<Record<string, string>> = {}): Promise<RawResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The `data:` payloads of an SSE body, in order (`[DONE]` kept as the string). */
export function sseData(text: string): readonly string[] {
  return text.split('\n\n').filter((event) => event.startsWith('data: ')).map((event) => event.slice('data: '.length));
}

/** Drains an SDK stream into an array. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}
