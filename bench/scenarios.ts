/**
 * The rows of the benchmark (issue 8 item 1) and the manifests of the two `aigw serve` processes:
 * - `aigw` (rows c, d, e and the memory runs): open gateway, one OpenAI-compatible provider and one
 *   Anthropic provider, both on the fake upstream; JSONL audit at its defaults (audit cannot be
 *   turned off: design §5 wants one record per request), written to a file in the run's folder;
 * - `aigw-secure` (row f): the same plus a credential with a quota (bearer key checked by sha256,
 *   admission and settlement on every request) and audit capturing prompt and completion in full.
 */
import { createHash } from 'node:crypto';
import type { RequestShape } from './load.js';

export const CLIENT_KEY = 'bench-client-key';
export const UPSTREAM_KEY = 'bench-upstream-key';

export function aigwManifest(upstreamUrl: string, options: { secure: boolean; auditFile?: string }): string {
  const lines = [
    'version: 1',
    'providers:',
    '  upstream-openai:',
    '    type: openai',
    `    base_url: "${upstreamUrl}/v1"`,
    '    api_key: "${BENCH_UPSTREAM_KEY}"',
    '  upstream-anthropic:',
    '    type: anthropic',
    `    base_url: "${upstreamUrl}"`,
    '    api_key: "${BENCH_UPSTREAM_KEY}"',
  ];
  if (options.secure) {
    lines.push(
      'credentials:',
      '  - id: bench-client',
      `    key_sha256: "${createHash('sha256').update(CLIENT_KEY).digest('hex')}"`,
      // High enough never to reject during the run: the row measures the bookkeeping, not rejections.
      '    quota: { requests_per_minute: 100000000, tokens_per_minute: 100000000000 }',
      'audit:',
      `  sinks: [ { type: jsonl, path: "${options.auditFile ?? './audit.jsonl'}" } ]`,
      '  prompt: full',
      '  completion: full',
    );
  }
  lines.push(
    'ai_routes:',
    '  - name: bench-openai',
    '    match: { model: "bench-openai" }',
    '    targets: [ { provider: upstream-openai, model: bench-model } ]',
    '  - name: bench-anthropic',
    '    match: { model: "bench-anthropic" }',
    '    targets: [ { provider: upstream-anthropic, model: bench-model } ]',
    // The first-byte probe (bench/fake-upstream.ts `first-byte-stream`).
    '  - name: bench-openai-first-byte',
    '    match: { model: "bench-openai-first-byte" }',
    '    targets: [ { provider: upstream-openai, model: first-byte-stream } ]',
    '  - name: bench-anthropic-first-byte',
    '    match: { model: "bench-anthropic-first-byte" }',
    '    targets: [ { provider: upstream-anthropic, model: first-byte-stream } ]',
    '  - name: bench-slow',
    '    match: { model: "bench-slow" }',
    '    targets: [ { provider: upstream-openai, model: slow-stream } ]',
    '',
  );
  return lines.join('\n');
}

const PROMPT = [{ role: 'user', content: 'In one sentence: why must a gateway add almost no latency?' }];

export function openAIBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, messages: PROMPT, max_tokens: 64, ...(stream ? { stream: true } : {}) });
}

export function anthropicBody(stream: boolean, model = 'bench-model'): string {
  return JSON.stringify({ model, max_tokens: 64, messages: PROMPT, ...(stream ? { stream: true } : {}) });
}

export type ServerId = 'upstream' | 'floor' | 'floor-audit' | 'aigw' | 'aigw-secure' | 'portkey' | 'litellm';

export interface Row {
  /** Stable key in results.json. */
  readonly id: string;
  /** The letter: a, b, c, d, e, f, g, h. */
  readonly letter: string;
  readonly label: string;
  /** The process whose CPU time the row measures. */
  readonly server: ServerId;
  readonly request: RequestShape;
  /**
   * Streams: the same route to the upstream's `first-byte-stream`, whose rest follows its first
   * content chunk after a pause: time to first byte is probed on it.
   */
  readonly firstByte?: RequestShape;
  /** The direct row this one adds latency to. */
  readonly direct?: string;
}

export interface RowUrls {
  readonly upstream: string;
  readonly floor: string;
  /** The floor writing one JSONL audit line per request (a reference row, not the targets' floor). */
  readonly floorAudit: string;
  readonly aigw: string;
  readonly aigwSecure: string;
  readonly peers: readonly { readonly id: 'portkey' | 'litellm'; readonly label: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly model: string; readonly firstByteModel: string }[];
}

export function buildRows(urls: RowUrls): Row[] {
  const chat = '/v1/chat/completions';
  const shape = (url: string, path: string, body: string, stream: boolean, headers: Readonly<Record<string, string>> = {}): RequestShape => ({ url, path, body, stream, headers });
  const auth = { authorization: `Bearer ${CLIENT_KEY}` };
  const rows: Row[] = [];
  for (const stream of [false, true]) {
    const suffix = stream ? '-stream' : '';
    const kind = stream ? 'stream' : 'unary';
    /** The row's request, and for a stream its first-byte twin (another model, same everything else). */
    const requests = (url: string, path: string, body: (model: string, stream: boolean) => string, model: string, firstByteModel: string, headers: Readonly<Record<string, string>> = {}) => ({
      request: shape(url, path, body(model, stream), stream, headers),
      ...(stream ? { firstByte: shape(url, path, body(firstByteModel, true), true, headers) } : {}),
    });
    const anthropic = (model: string, streamed: boolean): string => anthropicBody(streamed, model);
    rows.push(
      { id: `direct${suffix}`, letter: 'a', label: `direct to the upstream, OpenAI shape (${kind})`, server: 'upstream', ...requests(urls.upstream, chat, openAIBody, 'bench-model', 'first-byte-stream') },
      { id: `direct-anthropic${suffix}`, letter: 'a', label: `direct to the upstream, Anthropic shape (${kind})`, server: 'upstream', ...requests(urls.upstream, '/v1/messages', anthropic, 'bench-model', 'first-byte-stream') },
      { id: `floor${suffix}`, letter: 'b', label: `floor: Fastify + undici pass-through (${kind})`, server: 'floor', ...requests(urls.floor, chat, openAIBody, 'bench-model', 'first-byte-stream'), direct: `direct${suffix}` },
      { id: `aigw-openai${suffix}`, letter: stream ? 'e' : 'c', label: `aigw → OpenAI-compatible, pass-through (${kind})`, server: 'aigw', ...requests(urls.aigw, chat, openAIBody, 'bench-openai', 'bench-openai-first-byte'), direct: `direct${suffix}` },
      { id: `aigw-anthropic${suffix}`, letter: stream ? 'e' : 'd', label: `aigw → Anthropic, translated (${kind})`, server: 'aigw', ...requests(urls.aigw, chat, openAIBody, 'bench-anthropic', 'bench-anthropic-first-byte'), direct: `direct-anthropic${suffix}` },
    );
    if (!stream) {
      rows.push({ id: 'floor-audit', letter: 'b', label: 'reference: the floor + one JSONL audit line per request (unary)', server: 'floor-audit', request: shape(urls.floorAudit, chat, openAIBody('bench-model', false), false), direct: 'direct' });
      rows.push({ id: 'aigw-secure', letter: 'f', label: 'aigw (c) + credential, quota, full-capture JSONL audit (unary)', server: 'aigw-secure', request: shape(urls.aigwSecure, chat, openAIBody('bench-openai', false), false, auth), direct: 'direct' });
    }
    for (const peer of urls.peers) {
      rows.push({ id: `${peer.id}${suffix}`, letter: peer.id === 'portkey' ? 'g' : 'h', label: `${peer.label} (${kind})`, server: peer.id, ...requests(peer.url, chat, openAIBody, peer.model, peer.firstByteModel, peer.headers), direct: `direct${suffix}` });
    }
  }
  return rows;
}
