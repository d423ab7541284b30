/**
 * The real upstream transport for `aigw serve`: one undici Agent, which keeps a keep-alive Pool per
 * origin, and `request()` on the hot path (no fetch, no web streams). The engine owns every budget and
 * aborts through the signal; undici then destroys the socket, also while the body is being read, so
 * an abandoned attempt stops costing tokens at once.
 * @see https://undici.nodejs.org/#/docs/api/Agent
 * @see https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatcherrequestoptions-callback
 */
import { Agent, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { createAuthApplier, type AuthApplier, type GoogleTokenSource } from './apply-auth.js';
import { classifyNetworkError } from './classify-network-error.js';
import type { StopSignal } from '../stop-signal.js';
import type { Transport, TransportResponse } from './transport.js';

export interface UndiciTransportOptions {
  /**
   * TCP + TLS connect timeout. Keep it at or below the smallest `max_latency_ms` the caller uses; the
   * signal still aborts a request earlier, this only bounds the background connect attempt.
   */
  readonly connectTimeoutMs?: number;
  /** Idle keep-alive per socket (default 4000, undici's). Tests use 10. */
  readonly keepAliveTimeoutMs?: number;
  /** Upper bound on a server-advertised keep-alive (default 600000). */
  readonly keepAliveMaxTimeoutMs?: number;
  /** Sockets per origin (default: unlimited). */
  readonly connectionsPerOrigin?: number;
  /** Clock for SigV4 signing dates. */
  readonly clock?: Clock;
  /** Google service-account token minting (default: google-auth-library). */
  readonly googleTokens?: GoogleTokenSource;
  /** Replaces the whole auth step (tests). */
  readonly auth?: AuthApplier;
}

export interface UndiciTransport extends Transport {
  /** Closes every pooled socket; in-flight requests finish first. */
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Lower-case names; repeated headers joined with ", " (TransportResponse contract). */
function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** A target URL parsed once: targets come from the manifest, so a handful of URLs recur. */
interface ParsedUrl {
  readonly url: URL;
  readonly origin: string;
  readonly path: string;
}

/** Parsed URLs kept per transport; past this many (a reload storm) the cache starts over. */
const MAX_CACHED_URLS = 1_000;

function abortReason(signal: StopSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The body as Uint8Arrays. A break becomes TransportError('body'); an abort rethrows the signal's
 * reason. Leaving the loop early (break, return, throw) destroys the body, which closes the socket:
 * a half-read HTTP/1.1 response cannot be reused — unless the whole body has already arrived (a stream
 * left at the provider's terminator, the usual case): then it is finished normally, because destroying
 * it builds an abort error with a stack trace on every stream (issue 8 profile) for nothing.
 */
/** What reading a body throws: the signal's reason after an abort, else a TransportError('body'). */
function bodyFailure(error: unknown, signal: StopSignal): unknown {
  return signal.aborted ? abortReason(signal) : classifyNetworkError(error, false);
}

async function* readBody(body: Dispatcher.ResponseData['body'], signal: StopSignal): AsyncGenerator<Uint8Array, void, undefined> {
  let ended = false;
  try {
    // undici's body yields Buffers (Uint8Array subclasses); its type says `any`. Released below.
    for await (const chunk of body.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
    ended = true;
  } catch (error) {
    throw bodyFailure(error, signal);
  } finally {
    if (!ended) release(body, signal);
  }
}

/** Node's stream state: `ended` once the source pushed its last byte (not public API; read defensively). */
function arrivedWhole(body: Dispatcher.ResponseData['body']): boolean {
  const state = (body as unknown as { _readableState?: { ended?: unknown } })._readableState;
  return state?.ended === true && body.readableLength === 0;
}

const decoder = new TextDecoder();

/**
 * A body read whole through its 'data' events: one promise, where iterating it costs two async
 * iterators and a promise per chunk (issue 8 profile). Failures match readBody's: an abort rethrows
 * the signal's reason, a break is a TransportError('body'); past `maxBytes` the body is destroyed.
 */
function readText(body: Dispatcher.ResponseData['body'], signal: StopSignal, maxBytes: number): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve, reject) => {
    if (body.destroyed) {
      // Aborted (or broken) before the read began: its events have already been emitted.
      reject(bodyFailure(new Error('the response body was destroyed before it was read'), signal));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        // Destroying emits an abort error nobody else listens for.
        body.on('error', () => undefined);
        body.destroy();
        resolve(undefined);
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(decoder.decode(parts.length === 1 ? parts[0] : Buffer.concat(parts, size)));
    };
    const onError = (error: unknown): void => {
      stop();
      reject(bodyFailure(error, signal));
    };
    // Destroyed without an error (never by undici itself, but a body must not leave us waiting).
    const onClose = (): void => onError(new Error('the response body closed before its end'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

function release(body: Dispatcher.ResponseData['body'], signal: StopSignal): void {
  if (body.destroyed || body.readableEnded) return;
  if (!signal.aborted && arrivedWhole(body)) body.resume();
  else body.destroy();
}

export function createUndiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    keepAliveMaxTimeout: options.keepAliveMaxTimeoutMs ?? 600_000,
    ...(options.connectionsPerOrigin === undefined ? {} : { connections: options.connectionsPerOrigin }),
  });
  const auth = options.auth ?? createAuthApplier({
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.googleTokens === undefined ? {} : { googleTokens: options.googleTokens }),
  });

  const parsedUrls = new Map<string, ParsedUrl>();
  const parse = (text: string): ParsedUrl => {
    let parsed = parsedUrls.get(text);
    if (parsed === undefined) {
      const url = new URL(text);
      parsed = { url, origin: url.origin, path: `${url.pathname}${url.search}` };
      if (parsedUrls.size >= MAX_CACHED_URLS) parsedUrls.clear();
      parsedUrls.set(text, parsed);
    }
    return parsed;
  };

  return {
    async send(request, signal): Promise<TransportResponse> {
      if (signal.aborted) throw abortReason(signal);
      // Shared between requests: read only (the auth step reads it to sign).
      const { url, origin, path } = parse(request.url);
      // Encoded once: SigV4 signs exactly these bytes and undici sends them (with content-length).
      const body = Buffer.from(request.body, 'utf8');
      const headers = await auth.headers(request, url, body);
      if (signal.aborted) throw abortReason(signal);
      let response: Dispatcher.ResponseData;
      try {
        response = await agent.request({
          origin,
          path,
          method: request.method,
          headers,
          body,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        throw classifyNetworkError(error, true);
      }
      return {
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: readBody(response.body, signal),
        text: (maxBytes) => readText(response.body, signal, maxBytes),
      };
    },
    close: () => agent.close(),
  };
}
