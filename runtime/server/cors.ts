/**
 * CORS for browser apps that call the API directly (`AIGW_CORS_ORIGINS`). Off by default: no CORS
 * headers, and a preflight gets the 404 any other OPTIONS request gets, so a page on another origin
 * cannot use a gateway nobody opened to it. The admin plane (its own port) never answers browsers.
 * Keys travel in the Authorization header, never in cookies: no credentials mode.
 *
 * A few lines here rather than @fastify/cors: the headers must be on every answer a browser can get,
 * the 401 of the key check and the 503 of the drain included, and those are sent from the gateway's
 * own first onRequest hook, before any hook a plugin adds (plugins load after it).
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Response headers a browser app may read: the ones the OpenAI SDK reads, and the gateway's own. */
const CORS_EXPOSED_HEADERS = 'x-request-id, x-aigw-route, x-aigw-provider, retry-after, x-should-retry';

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = '600';

export interface CorsPolicy {
  /**
   * Sets the CORS headers for a browser request from an allowed origin. True when the request was a
   * preflight and has been answered (204): the hook must stop there.
   */
  apply(request: FastifyRequest, reply: FastifyReply): boolean;
}

/** `AIGW_CORS_ORIGINS` (its shape checked by settings.ts): empty (off), `*` (any origin), or comma-separated origins. */
export function parseCorsOrigins(text: string): '*' | ReadonlySet<string> | undefined {
  const origins = text.split(',').map((origin) => origin.trim().replace(/\/$/, '')).filter((origin) => origin !== '');
  if (origins.length === 0) return undefined;
  // Browsers send the scheme and host in lower case (RFC 6454 §6.2).
  return origins.includes('*') ? '*' : new Set(origins.map((origin) => origin.toLowerCase()));
}

/** The policy for a setting; undefined when CORS is off (the hook then does nothing at all). */
export function createCorsPolicy(setting: string): CorsPolicy | undefined {
  const origins = parseCorsOrigins(setting);
  if (origins === undefined) return undefined;
  return {
    apply(request, reply) {
      const origin = request.headers.origin;
      // Answers differ by Origin whenever a list decides: caches must keep them apart.
      if (origins !== '*') reply.header('vary', 'Origin');
      if (origin === undefined || (origins !== '*' && !origins.has(origin.toLowerCase()))) return false;
      reply.header('access-control-allow-origin', origins === '*' ? '*' : origin);
      const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
      if (!preflight) {
        reply.header('access-control-expose-headers', CORS_EXPOSED_HEADERS);
        return false;
      }
      reply.header('access-control-allow-methods', 'GET, POST');
      // The headers the page asked for (Authorization, content-type, the OpenAI SDK's x-stainless-*).
      const asked = request.headers['access-control-request-headers'];
      if (asked !== undefined) reply.header('access-control-allow-headers', asked);
      reply.header('vary', 'Origin, Access-Control-Request-Headers');
      reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_S);
      reply.code(204).header('content-length', '0').send();
      return true;
    },
  };
}
