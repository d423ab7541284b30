/**
 * One stream unit (an SSE event, an NDJSON line) larger than a decoder keeps: the upstream never ended
 * it within the bound, so the stream cannot be read on. Thrown by the decoders, turned by the stream
 * translators into a failed step (a broken stream: failover, continuation or `stream_interrupted`).
 */
import type { TranslatedError } from './contract.js';
import { providerFailure } from './error-common.js';

/** Upper bound for one buffered unit: protects against an upstream that never ends a line. */
export const MAX_STREAM_UNIT_BYTES = 8 * 1024 * 1024;

export class OversizeUnitError extends Error {
  constructor() {
    super(`a stream event over ${MAX_STREAM_UNIT_BYTES} bytes`);
  }
}

/** Failed over, never retried on the same target: the same request would send (and bill) the same event. */
export function oversizeUnitFailure(): TranslatedError {
  return { ...providerFailure(`The upstream stream sent an event larger than ${MAX_STREAM_UNIT_BYTES / (1024 * 1024)} MiB, which the gateway does not buffer.`, 'upstream_malformed_response'), retry: false };
}
