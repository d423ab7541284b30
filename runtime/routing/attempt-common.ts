/**
 * What the two attempt runners (unary-attempt.ts, stream-attempt.ts) share: their input, their result,
 * reading an error body, and turning a thrown stop or transport error into an AttemptFailure.
 */
import type { NativeRequest, ProviderAdapter, ResponseContext, TranslatedError } from '../adapters/contract.js';
import type { Clock } from '../clock.js';
import type { ChatCompletion, Usage } from '../openai/wire.js';
import { TransportError, type TransportResponse } from '../transport/transport.js';
import type { AttemptFailure } from './classify-outcome.js';
import { Stop, type AttemptScope } from './scopes.js';
import type { AttemptTarget, RoutingTransport } from './types.js';

export interface AttemptInput {
  readonly clock: Clock;
  readonly transport: RoutingTransport;
  readonly adapter: ProviderAdapter;
  readonly request: NativeRequest;
  readonly target: AttemptTarget;
  readonly context: ResponseContext;
  readonly scope: AttemptScope;
}

export interface AttemptSuccess {
  readonly ok: true;
  readonly status: number;
  readonly completion?: ChatCompletion;
  /** The model the provider named in its stream chunks (a non-stream answer names it in `completion`). */
  readonly model?: string;
  readonly usage?: Usage;
  readonly rawFinishReason?: string;
  /** Monotonic time of the first content. */
  readonly firstContentAt: number;
  readonly malformed: number;
}

export interface AttemptFailed {
  readonly ok: false;
  readonly status: number;
  readonly failure: AttemptFailure;
  /** Content of this attempt already reached the client (a stream broken mid-answer). */
  readonly afterContent: boolean;
  readonly usage?: Usage;
  readonly rawFinishReason?: string;
  readonly firstContentAt?: number;
  readonly malformed: number;
}

export type AttemptResult = AttemptSuccess | AttemptFailed;

/**
 * Non-stream answers larger than this are not buffered (a failed attempt): 16 MiB holds a 128k-token
 * answer (≈ 1 MB) many times over, and images or audio returned inline. Each answer is held whole and
 * parsed on the event loop (60 MB: ≈ 0.25 s), so a larger bound lets a provider stall the gateway.
 */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Error bodies larger than this are not buffered (the error is then classified by its status alone):
 * a provider's error is a few hundred bytes, and 40 concurrent 60 MB error answers held 1.5 GB.
 */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

const decoder = new TextDecoder();

/** The whole body as text, within the attempt's budget; undefined past `limit` bytes. */
export async function readBody(response: TransportResponse, scope: AttemptScope, limit = MAX_BODY_BYTES): Promise<string | undefined> {
  if (response.text !== undefined) return scope.race(response.text(limit));
  const parts: Uint8Array[] = [];
  let size = 0;
  const iterator = response.body[Symbol.asyncIterator]();
  for (;;) {
    const next = await scope.race(iterator.next());
    if (next.done === true) break;
    size += next.value.byteLength;
    if (size > limit) {
      await iterator.return?.();
      return undefined;
    }
    parts.push(next.value);
  }
  if (parts.length === 1) return decoder.decode(parts[0]);
  return decoder.decode(Buffer.concat(parts));
}

/** An HTTP error answer, translated by the adapter, with an HTTP-date Retry-After resolved on the clock. */
export function translateError(input: AttemptInput, response: TransportResponse, body: string): TranslatedError {
  const error = input.adapter.parseError(response.status, response.headers, body);
  if (error.retryAfterMs !== undefined) return error;
  const retryAt = retryAfterDate(response.headers['retry-after'], input.clock.now());
  return retryAt === undefined ? error : { ...error, retryAfterMs: retryAt };
}

/**
 * `Retry-After: <HTTP-date>`: adapters have no clock, so the engine resolves the date form.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfterDate(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || /^\s*\d/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A thrown stop or transport error → the attempt's failure. Anything else is a bug and propagates. */
export function failureFromError(
  error: unknown,
  scope: AttemptScope,
  stage: { readonly streaming: boolean; readonly headReceived: boolean; readonly status: number },
): AttemptFailure {
  const stop = scope.stop() ?? (error instanceof Stop ? error : undefined);
  if (stop !== undefined) {
    switch (stop.kind) {
      case 'latency':
        return { kind: 'latency', budgetMs: stop.budgetMs };
      case 'timeout':
        return { kind: 'timeout' };
      case 'aborted':
        return { kind: 'aborted' };
      case 'stall':
        return { kind: 'stream', detail: `no chunk for ${stop.budgetMs} ms`, status: stage.status };
      default: {
        const never: never = stop.kind;
        return never;
      }
    }
  }
  if (error instanceof TransportError) {
    // A stream whose body breaks is a broken stream; a non-stream body that breaks is a network error.
    return stage.streaming && stage.headReceived ? { kind: 'stream', detail: `body broke: ${error.code}`, status: stage.status } : { kind: 'transport', error };
  }
  throw error;
}

/** The malformed-upstream-answer error (the provider's fault: another target may do better). */
export function malformedAnswer(detail: string): TranslatedError {
  return {
    status: 502,
    failoverClass: 'retryable_5xx',
    envelope: { error: { message: `Malformed upstream answer: ${detail}.`, type: 'server_error', param: null, code: 'upstream_malformed' } },
  };
}
