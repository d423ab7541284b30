/**
 * The mock's request log (`GET /__mock/log`): one entry per request with what arrived (secrets
 * masked by header name), which fault applied, what was answered, and whether and when the client
 * closed the connection before the answer was complete. The runtime's abort tests read the last part.
 * Bounded: the oldest entries go first.
 */

export interface ClientClose {
  /** Milliseconds from the request's arrival to the client closing its side. */
  readonly atMs: number;
  /** True when the response head had been sent (the body was being streamed). */
  readonly midStream: boolean;
  readonly chunksSent: number;
}

export interface MockLogEntry {
  readonly id: number;
  readonly receivedAt: string;
  readonly method: string;
  /** Path and query as received (an API key in `?key=` masked). */
  readonly path: string;
  provider: string | null;
  model: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, or its text when it is not JSON. */
  body: unknown;
  /** The fault spec applied, as written. */
  fault: string | null;
  /** Status sent, once the head went out. */
  status: number | null;
  /** Why the mock answered as it did: answered, rejected (auth/invalid), fault, no-answer, reset, … */
  outcome: string | null;
  chunksSent: number;
  /** The whole answer was written. */
  completed: boolean;
  clientClosed: ClientClose | null;
}

const SECRET_HEADERS = new Set(['x-api-key', 'api-key', 'x-goog-api-key', 'x-amz-security-token', 'cookie', 'proxy-authorization']);

/** Masks by header name, never by scanning values; keeps the auth scheme (Bearer, AWS4-HMAC-SHA256). */
export function maskHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = name.toLowerCase();
    if (lower === 'authorization') masked[lower] = `${value.split(/\s+/)[0] ?? ''} ****`;
    else if (SECRET_HEADERS.has(lower)) masked[lower] = '****';
    else masked[lower] = value;
  }
  return masked;
}

export function maskPath(rawUrl: string): string {
  return rawUrl.replace(/([?&]key=)[^&]*/g, '$1****');
}

export interface RequestLog {
  add(entry: Omit<MockLogEntry, 'id'>): MockLogEntry;
  entries(): readonly MockLogEntry[];
  clear(): void;
}

export function createRequestLog(limit = 10_000): RequestLog {
  let entries: MockLogEntry[] = [];
  let next = 1;
  return {
    add(entry) {
      const stored: MockLogEntry = { id: next, ...entry };
      next += 1;
      entries.push(stored);
      if (entries.length > limit) entries = entries.slice(entries.length - limit);
      return stored;
    },
    entries: () => entries,
    clear: () => {
      entries = [];
    },
  };
}
