/**
 * The engine's only way to reach a provider. `serve` passes the undici transport, `simulate` the
 * fixture transport on a virtual clock, tests whatever they need. Authentication is applied here
 * (from the request's AuthSpec), never inside an adapter.
 */
import type { NativeRequest } from '../adapters/contract.js';
import type { StopSignal } from '../stop-signal.js';

export interface TransportResponse {
  readonly status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it arrives; iteration ends at end of body and throws a TransportError on a break. */
  readonly body: AsyncIterable<Uint8Array>;
  /**
   * Optional shortcut for a body read whole (non-stream answers, error bodies): its UTF-8 text, or
   * undefined past `maxBytes` (the body is released then). Fails as iterating `body` fails. Use one
   * of the two, never both.
   */
  readonly text?: (maxBytes: number) => Promise<string | undefined>;
}

export interface Transport {
  /**
   * Sends one request. Rejects with a TransportError when no response head arrives (refused, reset,
   * DNS, TLS) and with the signal's reason when `signal` aborts; aborting also releases the socket,
   * including while the body is being read.
   */
  send(request: NativeRequest, signal: StopSignal): Promise<TransportResponse>;
}

/**
 * `auth`: the request could not be authenticated before sending (a credential without a value, a token
 * that cannot be minted); the engine treats it as the provider rejecting the gateway's key (auth_error).
 */
export type TransportFailure = 'connect' | 'reset' | 'dns' | 'tls' | 'body' | 'auth' | 'other';

/** A network-level failure, classified by the error's `code` (never by its message). */
export class TransportError extends Error {
  readonly failure: TransportFailure;
  /** The low-level code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ENOTFOUND, …). */
  readonly code: string;
  /** True when the failure happened before any response byte (safe to retry on the same target). */
  readonly beforeResponse: boolean;

  constructor(message: string, options: { failure: TransportFailure; code: string; beforeResponse: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.failure = options.failure;
    this.code = options.code;
    this.beforeResponse = options.beforeResponse;
  }
}
