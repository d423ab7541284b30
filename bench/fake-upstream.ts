/**
 * The fake upstream every benchmark row calls: as cheap as a server can be (node:http, answers built
 * once at startup), so the figures measure what sits in front of it.
 * - POST …/chat/completions (OpenAI shape): a fixed chat.completion, or with `"stream": true` a stream
 *   of 20 chunks (role, 18 content deltas, finish) plus a usage chunk when `stream_options.include_usage`
 *   asks, then `[DONE]`.
 * - POST …/messages (Anthropic shape): a fixed message, or the same answer as Anthropic events.
 * - model `slow-stream` (either shape): one content chunk every `--slow-interval-ms` for
 *   `--slow-chunks` chunks, all slow streams ticking on one shared timer (the memory benchmark).
 * - model `first-byte-stream` (either shape): the stream's head and first content chunk, then the rest
 *   FIRST_BYTE_GAP_MS later. The instant stream arrives in one piece, so its first byte cannot tell a
 *   relaying proxy from one that buffers the whole answer; with the gap it can (the first-byte probe).
 * Run: `node --import tsx bench/fake-upstream.ts [--port N] [--slow-interval-ms 100] [--slow-chunks 300]`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const WORDS = ['The', ' gateway', ' sits', ' on', ' every', ' call', ',', ' so', ' its', ' own', ' cost', ' must', ' be', ' close', ' to', ' nothing', ' at', ' all.'];
const TEXT = WORDS.join('');
const CREATED = 1_700_000_000;
const USAGE = { prompt_tokens: 12, completion_tokens: WORDS.length, total_tokens: 12 + WORDS.length };

const openAICompletion = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: CREATED, model: 'bench-model', system_fingerprint: 'fp_bench',
  choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null }, logprobs: null, finish_reason: 'stop' }],
  usage: USAGE,
}));

function openAIChunk(delta: Record<string, unknown>, finish: string | null, usage?: unknown): string {
  const chunk = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: 'bench-model', system_fingerprint: 'fp_bench',
    choices: usage === undefined ? [{ index: 0, delta, logprobs: null, finish_reason: finish }] : [], ...(usage === undefined ? {} : { usage }) };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** 20 chunks: role, 18 content deltas, finish. */
const OPENAI_STREAM = [openAIChunk({ role: 'assistant', content: '' }, null), ...WORDS.map((word) => openAIChunk({ content: word }, null)), openAIChunk({}, 'stop')];
const OPENAI_USAGE = openAIChunk({}, null, USAGE);
const OPENAI_DONE = 'data: [DONE]\n\n';

const anthropicMessage = Buffer.from(JSON.stringify({
  id: 'msg_bench', type: 'message', role: 'assistant', model: 'bench-model', content: [{ type: 'text', text: TEXT }],
  stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: USAGE.prompt_tokens, output_tokens: USAGE.completion_tokens },
}));

function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

const ANTHROPIC_HEAD = [
  anthropicEvent('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'bench-model', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: USAGE.prompt_tokens, output_tokens: 1 } } }),
  anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
];
const anthropicDelta = (text: string): string => anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
const ANTHROPIC_TAIL = [
  anthropicEvent('content_block_stop', { index: 0 }),
  anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: USAGE.completion_tokens } }),
  anthropicEvent('message_stop', {}),
];
const ANTHROPIC_STREAM = [...ANTHROPIC_HEAD, ...WORDS.map(anthropicDelta), ...ANTHROPIC_TAIL];

/** The pause after the first content chunk of a `first-byte-stream`. */
export const FIRST_BYTE_GAP_MS = 5;
/** Role chunk and first word; then the other words, finish and [DONE]. */
const OPENAI_FIRST = OPENAI_STREAM.slice(0, 2).join('');
const OPENAI_REST = OPENAI_STREAM.slice(2).join('');
/** message_start, content_block_start and the first delta; then the other deltas and the tail. */
const ANTHROPIC_FIRST = ANTHROPIC_STREAM.slice(0, 3).join('');
const ANTHROPIC_REST = ANTHROPIC_STREAM.slice(3).join('');

const SSE_HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const JSON_HEAD = { 'content-type': 'application/json' };

interface SlowStream {
  readonly response: ServerResponse;
  readonly shape: 'openai' | 'anthropic';
  readonly includeUsage: boolean;
  sent: number;
}

export interface FakeUpstreamOptions {
  readonly slowIntervalMs: number;
  readonly slowChunks: number;
}

export function createFakeUpstream(options: FakeUpstreamOptions) {
  const slow = new Set<SlowStream>();
  const tick = setInterval(() => {
    for (const stream of slow) {
      stream.sent += 1;
      const last = stream.sent >= options.slowChunks;
      if (stream.shape === 'openai') {
        stream.response.write(openAIChunk({ content: WORDS[stream.sent % WORDS.length] }, null));
        if (last) stream.response.end(OPENAI_STREAM.at(-1) + (stream.includeUsage ? OPENAI_USAGE : '') + OPENAI_DONE);
      } else {
        stream.response.write(anthropicDelta(WORDS[stream.sent % WORDS.length] ?? ''));
        if (last) stream.response.end(ANTHROPIC_TAIL.join(''));
      }
      if (last) slow.delete(stream);
    }
  }, options.slowIntervalMs);
  tick.unref();

  const answer = (request: IncomingMessage, response: ServerResponse, raw: string): void => {
    const shape = request.url?.endsWith('/messages') === true ? 'anthropic' : request.url?.endsWith('/chat/completions') === true ? 'openai' : undefined;
    if (request.method !== 'POST' || shape === undefined) {
      response.writeHead(404, JSON_HEAD).end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    let body: { stream?: boolean; model?: string; stream_options?: { include_usage?: boolean } };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      response.writeHead(400, JSON_HEAD).end('{"error":{"message":"bad json","type":"invalid_request_error"}}');
      return;
    }
    const includeUsage = body.stream_options?.include_usage === true;
    if (body.model === 'slow-stream') {
      response.writeHead(200, SSE_HEAD);
      response.write(shape === 'openai' ? OPENAI_STREAM[0] : ANTHROPIC_HEAD.join(''));
      const stream: SlowStream = { response, shape, includeUsage, sent: 0 };
      slow.add(stream);
      response.on('close', () => slow.delete(stream));
      return;
    }
    if (body.model === 'first-byte-stream') {
      response.writeHead(200, SSE_HEAD);
      response.write(shape === 'openai' ? OPENAI_FIRST : ANTHROPIC_FIRST);
      setTimeout(() => {
        response.end(shape === 'openai' ? OPENAI_REST + (includeUsage ? OPENAI_USAGE : '') + OPENAI_DONE : ANTHROPIC_REST);
      }, FIRST_BYTE_GAP_MS);
      return;
    }
    if (body.stream !== true) {
      response.writeHead(200, JSON_HEAD).end(shape === 'openai' ? openAICompletion : anthropicMessage);
      return;
    }
    response.writeHead(200, SSE_HEAD);
    // One write per event, as a provider streams them (the first byte leaves before the rest).
    const events = shape === 'openai' ? OPENAI_STREAM : ANTHROPIC_STREAM;
    for (const event of events) response.write(event);
    response.end(shape === 'openai' ? (includeUsage ? OPENAI_USAGE : '') + OPENAI_DONE : '');
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (part: string) => { raw += part; });
    request.on('end', () => answer(request, response, raw));
  });
  server.on('close', () => clearInterval(tick));
  return server;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'slow-interval-ms': { type: 'string', default: '100' },
      'slow-chunks': { type: 'string', default: '300' },
    },
  });
  const server = createFakeUpstream({ slowIntervalMs: Number(values['slow-interval-ms']), slowChunks: Number(values['slow-chunks']) });
  server.listen(Number(values.port), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}
