/**
 * Test doubles for engine tests: a tiny line-based fake provider protocol (adapter + scripted transport
 * on the manual clock) and a manifest builder. The fake protocol keeps the tests about routing, not
 * about any real provider's wire format.
 *
 * Stream body lines: `{"t":"text"}` content, `{"call":"name"}` a tool-call delta, `{"finish":"stop",
 * "usage":[in,out]}` the finish (without `usage`: the provider reported none, usage unknown), `[DONE]`
 * the terminator, `{"error":503}` an in-band error, anything else is a malformed event (skipped and
 * counted). Non-stream bodies: `{"text":"…","usage":[in,out],"model":"…"}`, `usage` optional likewise.
 */
import type {
  BuildResult, ProviderAdapter, ProviderType, ResponseContext, StreamStep, StreamTranslator, TargetContext, TranslatedError,
} from '../../../runtime/adapters/contract.js';
import { createChunkFactory } from '../../../runtime/adapters/chunks.js';
import { makeUsage } from '../../../runtime/adapters/usage.js';
import type { Clock } from '../../../runtime/clock.js';
import type { Manifest, ProviderEntry, Route, Target } from '../../../runtime/manifest/types.js';
import { DEFAULT_FAILOVER_ON, ROUTE_DEFAULTS } from '../../../runtime/manifest/types.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../../runtime/openai/wire.js';
import { envSecret } from '../../../runtime/secrets.js';
import { TransportError, type TransportResponse } from '../../../runtime/transport/transport.js';
import type { AttemptTarget, RoutingTransport, StreamSink } from '../../../runtime/routing/types.js';
import type { StopSignal } from '../../../runtime/stop-signal.js';

const encoder = new TextEncoder();

function fakeError(status: number, body: string, headers: Readonly<Record<string, string>>): TranslatedError {
  let code: string | null = null;
  try {
    code = (JSON.parse(body) as { code?: string }).code ?? null;
  } catch { /* not JSON */ }
  const failoverClass = status === 401 || status === 403 ? 'auth_error'
    : status === 404 ? 'target_unavailable'
    : status === 429 ? 'rate_limited'
      : status >= 500 ? 'retryable_5xx'
        : code === 'context_length_exceeded' ? 'context_length'
          : code === 'content_filter' ? 'content_filter' : 'client_error';
  const retryAfter = headers['retry-after'];
  const error: TranslatedError = {
    status,
    failoverClass,
    envelope: { error: { message: `fake provider said ${status}`, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code } },
  };
  return retryAfter === undefined ? error : { ...error, retryAfterMs: Number(retryAfter) * 1000 };
}

function createFakeTranslator(context: ResponseContext): StreamTranslator {
  const factory = createChunkFactory(context);
  let buffer = '';
  let roleSent = false;
  let contentSeen = false;
  let finished: { reason: 'stop'; usage: ReturnType<typeof makeUsage> | undefined } | undefined;
  const lines = (text: string): StreamStep => {
    const chunks: ChatCompletionChunk[] = [];
    let firstContent = false;
    let malformed = 0;
    let done = false;
    let usage: StreamStep['usage'];
    let error: TranslatedError | undefined;
    const parts = text.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      if (line === '') continue;
      if (line === '[DONE]') {
        done = true;
        if (finished?.usage !== undefined && context.includeUsage) chunks.push(factory.usage(finished.usage));
        continue;
      }
      let event: { t?: string; call?: string; finish?: 'stop'; usage?: [number, number]; error?: number };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        malformed += 1;
        continue;
      }
      if (!roleSent) {
        chunks.push(factory.role());
        roleSent = true;
      }
      if (event.t !== undefined) {
        chunks.push(factory.delta({ content: event.t }));
        if (!contentSeen) firstContent = true;
        contentSeen = true;
      } else if (event.call !== undefined) {
        chunks.push(factory.delta({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: event.call, arguments: '' } }] }));
        if (!contentSeen) firstContent = true;
        contentSeen = true;
      } else if (event.finish !== undefined) {
        finished = { reason: event.finish, usage: event.usage === undefined ? undefined : makeUsage(event.usage[0], event.usage[1]) };
        usage = finished.usage;
        chunks.push(factory.finish('stop'));
      } else if (event.error !== undefined) {
        error = fakeError(event.error, '{}', {});
      } else {
        malformed += 1;
      }
    }
    return { chunks, firstContent, done, malformed, ...(usage === undefined ? {} : { usage }), ...(error === undefined ? {} : { error }) };
  };
  return {
    push: (bytes) => lines(buffer + new TextDecoder().decode(bytes)),
    end() {
      const step = lines(`${buffer}\n`);
      if (step.done || step.error !== undefined) return step;
      if (finished !== undefined) {
        // Complete but without its terminator: finalise.
        const usageChunk = context.includeUsage && finished.usage !== undefined ? [factory.usage(finished.usage)] : [];
        return { ...step, chunks: [...step.chunks, ...usageChunk], done: true };
      }
      return { ...step, error: fakeError(502, '{"code":"truncated"}', {}) };
    },
  };
}

export interface FakeAdapterOptions {
  readonly supportsPrefill?: boolean;
  readonly unsupported?: readonly string[];
}

export function createFakeAdapter(type: ProviderType, options: FakeAdapterOptions = {}): ProviderAdapter {
  return {
    type,
    params: { rules: {}, unknown: 'pass' },
    supportsPrefill: options.supportsPrefill ?? false,
    buildRequest(request: ChatCompletionRequest, target: TargetContext, build): BuildResult {
      for (const param of options.unsupported ?? []) {
        if (request[param] !== undefined && !target.dropParams) {
          return { ok: false, error: { status: 400, failoverClass: 'client_error', envelope: { error: { message: `'${param}' unsupported by ${target.providerId}`, type: 'invalid_request_error', param, code: 'unsupported_parameter' } } } };
        }
      }
      const apiKey = target.credentials['api_key'];
      return {
        ok: true,
        dropped: [],
        request: {
          method: 'POST',
          url: `${target.baseUrl}/chat`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: target.model, stream: request.stream === true,
            ...(request.max_tokens == null ? {} : { max_tokens: request.max_tokens }),
            ...(build?.prefill === undefined ? {} : { prefill: build.prefill }),
          }),
          auth: apiKey === undefined ? { kind: 'none' } : { kind: 'bearer', secret: apiKey },
          stream: request.stream === true ? { framing: 'sse' } : false,
        },
      };
    },
    parseResponse(_status, _headers, body, context) {
      const parsed = JSON.parse(body) as { text: string; usage?: [number, number]; model?: string };
      const completion = {
        id: context.completionId, object: 'chat.completion' as const, created: context.created, model: parsed.model ?? context.model,
        choices: [{ index: 0, message: { role: 'assistant' as const, content: parsed.text, refusal: null }, logprobs: null, finish_reason: 'stop' as const }],
      };
      if (parsed.usage === undefined) return { ok: true, completion };
      const usage = makeUsage(parsed.usage[0], parsed.usage[1]);
      return { ok: true, usage, completion: { ...completion, usage } };
    },
    createStreamTranslator: createFakeTranslator,
    parseError: (status, headers, body) => fakeError(status, body, headers),
  };
}

/** One scripted upstream answer. `at` values are ms from the call. */
export type Reply =
  | { readonly kind: 'json'; readonly status?: number; readonly body?: string; readonly headers?: Record<string, string>; readonly delayMs?: number; readonly viaText?: boolean }
  | { readonly kind: 'stream'; readonly lines: readonly { readonly at: number; readonly line: string }[]; readonly then?: 'end' | 'reset' | 'hang'; readonly headAt?: number }
  | { readonly kind: 'reset'; readonly delayMs?: number }
  | { readonly kind: 'hang' };

export interface Call {
  readonly provider: string;
  readonly model: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
  aborted: boolean;
  /** The byte limit the engine read the body with, when the reply offered `text()` (viaText). */
  textLimit?: number;
}

export interface ScriptedTransport extends RoutingTransport {
  readonly calls: Call[];
}

/** Answers per provider id: a list (one per call, the last repeats) or a function of the call number. */
export function createScriptedTransport(clock: Clock, script: Record<string, Reply | readonly Reply[] | ((call: number) => Reply)>): ScriptedTransport {
  const calls: Call[] = [];
  const counts = new Map<string, number>();
  const hang = (signal: StopSignal): Promise<never> => new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  return {
    calls,
    async send(request, signal, target?: AttemptTarget): Promise<TransportResponse> {
      if (target === undefined) throw new Error('the engine must pass the attempt target');
      const count = counts.get(target.providerId) ?? 0;
      counts.set(target.providerId, count + 1);
      const call: Call = { provider: target.providerId, model: target.model, body: JSON.parse(request.body) as Record<string, unknown>, at: clock.monotonic(), aborted: false };
      calls.push(call);
      signal.addEventListener('abort', () => { call.aborted = true; }, { once: true });
      const entry = script[target.providerId];
      if (entry === undefined) throw new Error(`no script for ${target.providerId}`);
      const reply: Reply = typeof entry === 'function' ? entry(count)
        : Array.isArray(entry) ? (entry[Math.min(count, entry.length - 1)] as Reply) : entry as Reply;
      switch (reply.kind) {
        case 'hang':
          return hang(signal);
        case 'reset':
          await clock.sleep(reply.delayMs ?? 0, signal);
          throw new TransportError('socket hang up', { failure: 'reset', code: 'ECONNRESET', beforeResponse: true });
        case 'json': {
          await clock.sleep(reply.delayMs ?? 0, signal);
          const body = reply.body ?? JSON.stringify({ text: `hello from ${target.providerId}`, usage: [10, 5] });
          const text = async (maxBytes: number): Promise<string | undefined> => {
            call.textLimit = maxBytes;
            return encoder.encode(body).byteLength > maxBytes ? undefined : body;
          };
          return { status: reply.status ?? 200, headers: reply.headers ?? {}, body: (async function* () { yield encoder.encode(body); })(), ...(reply.viaText === true ? { text } : {}) };
        }
        case 'stream': {
          const start = clock.monotonic();
          await clock.sleep(reply.headAt ?? 0, signal);
          const lines = reply.lines;
          const then = reply.then ?? 'end';
          const body = async function* (): AsyncGenerator<Uint8Array> {
            for (const { at, line } of lines) {
              await clock.sleep(Math.max(0, start + at - clock.monotonic()), signal);
              yield encoder.encode(`${line}\n`);
            }
            if (then === 'reset') throw new TransportError('terminated', { failure: 'body', code: 'UND_ERR_SOCKET', beforeResponse: false });
            if (then === 'hang') await hang(signal);
          };
          return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: body() };
        }
        default: {
          const never: never = reply;
          return never;
        }
      }
    },
  };
}

/** `n` content lines 10 ms apart, then the finish and the terminator. */
export function textStream(words: readonly string[], options: { finish?: boolean; done?: boolean; every?: number; then?: 'end' | 'reset' | 'hang' } = {}): Reply {
  const every = options.every ?? 10;
  const lines = words.map((word, index) => ({ at: (index + 1) * every, line: JSON.stringify({ t: word }) }));
  let at = (words.length + 1) * every;
  if (options.finish !== false) lines.push({ at, line: JSON.stringify({ finish: 'stop', usage: [7, words.length] }) });
  at += every;
  if (options.done !== false) lines.push({ at, line: '[DONE]' });
  return { kind: 'stream', lines, then: options.then ?? 'end' };
}

export function entry(id: string, type: ProviderType, extra: Partial<ProviderEntry> = {}): ProviderEntry {
  return { id, type, baseUrl: `https://${id}.example`, settings: {}, credentials: {}, defaults: {}, declared: true, ...extra };
}

export function target(provider: string, model: string, weight: number, extra: Partial<Target> = {}): Target {
  return { provider, model, weight, ...extra };
}

export type RouteOverrides = { readonly [K in keyof Route]?: Route[K] | undefined };

export function route(targets: readonly Target[], overrides: RouteOverrides = {}): Route {
  const { fallback, ...extra } = overrides;
  const defined = Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined)) as Partial<Route>;
  return {
    name: 'chat',
    match: { model: 'gpt-4o-mini' },
    targets,
    timeoutMs: ROUTE_DEFAULTS.timeoutMs,
    failoverOn: DEFAULT_FAILOVER_ON,
    retry: ROUTE_DEFAULTS.retry,
    streamFailover: 'continue',
    streamIdleTimeoutMs: ROUTE_DEFAULTS.streamIdleTimeoutMs,
    dropParams: false,
    defaultMaxTokens: 4096,
    ...defined,
    ...(fallback === undefined ? {} : { fallback }),
  };
}

export function manifest(routes: readonly Route[], providers: readonly ProviderEntry[]): Manifest {
  return {
    version: 1,
    providers: new Map(providers.map((provider) => [provider.id, provider])),
    routes,
    audit: { sinks: [], prompt: 'hash', completion: 'none', redact: [], maxCaptureChars: 8192 },
  };
}

export const CHAT: ChatCompletionRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 64 };
export const STREAM: ChatCompletionRequest = { ...CHAT, stream: true };
export const STREAM_WITH_USAGE: ChatCompletionRequest = { ...CHAT, stream: true, stream_options: { include_usage: true } };

export interface RecordingSink extends StreamSink {
  readonly chunks: ChatCompletionChunk[];
  readonly events: string[];
  text(): string;
}

export function recordingSink(): RecordingSink {
  const chunks: ChatCompletionChunk[] = [];
  const events: string[] = [];
  return {
    chunks,
    events,
    start: (info) => { events.push(`start ${info.provider}/${info.model}`); },
    write: (chunk) => { chunks.push(chunk); events.push('chunk'); },
    end: () => { events.push('end'); },
    error: (envelope) => { events.push(`error ${envelope.error.code ?? ''}: ${envelope.error.message}`); },
    text: () => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''),
  };
}

export { envSecret };
