/**
 * The real upstream transport for `aigw serve`: one undici Agent, which keeps a keep-alive Pool per
 * origin, and `dispatch()` on the hot path (no fetch, no web streams, no Readable body:
 * upstream-exchange.ts). The engine owns every budget and aborts through the signal; the request is
 * then aborted and its socket destroyed, also while the body is being read, so an abandoned attempt
 * stops costing tokens at once.
 * @see https://undici.nodejs.org/#/docs/api/Agent
 */
import { Agent } from 'undici';
import type { Clock } from '../clock.js';
import { createAuthApplier, type AuthApplier, type GoogleTokenSource } from './apply-auth.js';
import type { StopSignal } from '../stop-signal.js';
import type { Transport, TransportResponse } from './transport.js';
import { abortReason, UpstreamExchange } from './upstream-exchange.js';

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

/** A target URL parsed once: targets come from the manifest, so a handful of URLs recur. */
interface ParsedUrl {
  readonly url: URL;
  readonly origin: string;
  readonly path: string;
}

/** Parsed URLs kept per transport; past this many (a reload storm) the cache starts over. */
const MAX_CACHED_URLS = 1_000;

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
      const exchange = new UpstreamExchange(signal);
      agent.dispatch({ origin, path, method: request.method, headers, body }, exchange);
      return exchange.head;
    },
    close: () => agent.close(),
  };
}
