/**
 * Peer gateways, measured in the same run against the same fake upstream when they are installed
 * OUTSIDE the project's dependencies (they are not aigw's dependencies and never ship with it):
 * - Portkey AI gateway (npm `@portkey-ai/gateway` 1.15.x; its streaming needs `@hono/node-server`
 *   1.14.1, pinned with an npm override) under .cache/bench-peers. It listens on every interface:
 *   the probe preload forces it onto 127.0.0.1. Routed per request by its headers
 *   (`x-portkey-provider: openai`, `x-portkey-custom-host: <upstream>/v1`).
 * - LiteLLM proxy (PyPI `litellm[proxy]`), optional, in a venv under .cache/bench-peers/litellm.
 * `npm run bench -- --install-peers` installs both (network: the npm registry and PyPI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT, startServer, type ServerProcess } from './processes.js';

export const PEERS_DIR = join(ROOT, '.cache', 'bench-peers');
const PORTKEY_ENTRY = join(PEERS_DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const LITELLM_VENV = join(PEERS_DIR, 'litellm');
const LITELLM_BIN = join(LITELLM_VENV, 'bin', 'litellm');
const LITELLM_MASTER_KEY = 'sk-aigw-bench-5f1c0e9a7b3d4c2e8f6a1b0c9d8e7f6a';

/** The npm project that holds the peers, with the @hono/node-server pin Portkey 1.15 streaming needs. */
const PEERS_PACKAGE = {
  private: true,
  description: 'Peer gateways for aigw benchmarks only (never aigw dependencies).',
  dependencies: { '@portkey-ai/gateway': '1.15.x', '@hono/node-server': '1.14.1' },
  overrides: { '@hono/node-server': '1.14.1' },
};

export interface PeerAvailability {
  readonly portkey: boolean;
  readonly litellm: boolean;
  readonly hint: string;
}

export function peerAvailability(): PeerAvailability {
  const portkey = existsSync(PORTKEY_ENTRY);
  const litellm = existsSync(LITELLM_BIN);
  const missing = [portkey ? '' : 'Portkey', litellm ? '' : 'LiteLLM (optional)'].filter((name) => name !== '');
  return {
    portkey,
    litellm,
    hint: missing.length === 0 ? '' : `not installed: ${missing.join(', ')} — \`npm run bench -- --install-peers\` installs them under .cache/bench-peers`,
  };
}

/** Installs the peers under .cache/bench-peers; returns what failed (LiteLLM is optional). */
export function installPeers(log: (line: string) => void): string[] {
  const failures: string[] = [];
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(join(PEERS_DIR, 'package.json'), `${JSON.stringify(PEERS_PACKAGE, null, 2)}\n`);
  log('installing @portkey-ai/gateway@1.15.x (+ @hono/node-server@1.14.1) under .cache/bench-peers …');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: PEERS_DIR, stdio: 'inherit' });
  if (npm.status !== 0) failures.push('portkey');
  log('installing litellm[proxy] in a venv under .cache/bench-peers/litellm …');
  const venv = spawnSync('python3', ['-m', 'venv', LITELLM_VENV], { stdio: 'inherit' });
  const pip = venv.status === 0
    ? spawnSync(join(LITELLM_VENV, 'bin', 'pip'), ['install', '--quiet', 'litellm[proxy]'], { stdio: 'inherit' })
    : venv;
  if (pip.status !== 0) failures.push('litellm');
  return failures;
}

export interface PeerServer {
  readonly id: 'portkey' | 'litellm';
  readonly label: string;
  readonly server: ServerProcess;
  /** Headers that route a request to the fake upstream's OpenAI endpoint. */
  readonly headers: Readonly<Record<string, string>>;
  /** The model name the peer expects in the body. */
  readonly model: string;
  /** The one that reaches the upstream's `first-byte-stream` (the first-byte probe). */
  readonly firstByteModel: string;
}

export async function startPortkey(upstreamUrl: string, cpu: number | undefined, logFile: string): Promise<PeerServer> {
  const server = await startServer({
    name: 'portkey',
    node: { args: [PORTKEY_ENTRY, '--port=0', '--headless'] },
    cwd: PEERS_DIR,
    env: { NODE_ENV: 'production' },
    cpu,
    logFile,
    forceLoopback: true,
  });
  return {
    id: 'portkey',
    label: 'Portkey gateway 1.15 (OpenAI provider, custom host)',
    server,
    headers: { authorization: 'Bearer bench-upstream-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamUrl}/v1` },
    model: 'bench-model',
    firstByteModel: 'first-byte-stream',
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startLitellm(upstreamUrl: string, cpu: number | undefined, logFile: string, workDir: string): Promise<PeerServer> {
  const config = join(workDir, 'litellm.yaml');
  writeFileSync(config, [
    'model_list:',
    '  - model_name: bench-model',
    '    litellm_params:',
    '      model: openai/bench-model',
    `      api_base: ${upstreamUrl}/v1`,
    '      api_key: bench-upstream-key',
    '  - model_name: first-byte-stream',
    '    litellm_params:',
    '      model: openai/first-byte-stream',
    `      api_base: ${upstreamUrl}/v1`,
    '      api_key: bench-upstream-key',
    'litellm_settings:',
    '  telemetry: false',
    // LiteLLM refuses to start without a master key; this one only guards a loopback benchmark.
    'general_settings:',
    `  master_key: ${LITELLM_MASTER_KEY}`,
    '',
  ].join('\n'));
  const port = await freePort();
  const server = await startServer({
    name: 'litellm',
    command: { file: LITELLM_BIN, args: ['--config', config, '--host', '127.0.0.1', '--port', String(port), '--num_workers', '1'], url: `http://127.0.0.1:${port}` },
    cwd: workDir,
    env: { LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False', DISABLE_SCHEMA_UPDATE: 'true' },
    cpu,
    logFile,
    startTimeoutMs: 90_000,
  });
  return { id: 'litellm', label: 'LiteLLM proxy (openai/ provider, api_base)', server, headers: { authorization: `Bearer ${LITELLM_MASTER_KEY}` }, model: 'bench-model', firstByteModel: 'first-byte-stream' };
}
