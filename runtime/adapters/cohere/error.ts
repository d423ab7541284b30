/**
 * Cohere errors → OpenAI envelope + failover class (providers.md §6.5). The body is `{"message": "…"}`;
 * the class comes from the status, the shared policy in error-common.ts, plus Cohere's own codes:
 *
 * | status | meaning | class |
 * |---|---|---|
 * | 400 / 422 "too many tokens…" | prompt over the context window | context_length |
 * | 400 / 404 / 422 | the request | client_error |
 * | 401, 498 (invalid token), 403, 402 | the gateway's key or account (502 for the app) | auth_error |
 * | 429 | rate limit (trial keys: calls per minute; no retry header is documented) | rate_limited |
 * | 499 (request cancelled upstream), 500, 501, 503, 504 | the provider | retryable_5xx |
 *
 * `finish_reason` ERROR or TIMEOUT on a 200 (or in `message-end`) is a failed generation as well.
 * @see https://docs.cohere.com/reference/errors
 */
import type { TranslatedError } from '../contract.js';
import { providerFailure, translateProviderError } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';

const PROVIDER = 'cohere';

/** Cohere-only statuses, as the standard status that means the same to the failover policy. */
const STATUS_ALIASES: ReadonlyMap<number, number> = new Map([
  [498, 401],
  [499, 502],
]);

export function parseCohereError(status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  const parsed = parseJson(body);
  const message = isRecord(parsed) ? stringOr(parsed['message']) : undefined;
  return translateProviderError(PROVIDER, STATUS_ALIASES.get(status) ?? status, headers, { message });
}

/** A generation that ended with finish_reason ERROR or TIMEOUT (HTTP 200 or `message-end`). */
export function failedGeneration(finishReason: string, detail: string | undefined): TranslatedError {
  return providerFailure(
    `Cohere generation ended with ${finishReason}${detail === undefined ? '' : `: ${detail}`}`,
    finishReason === 'TIMEOUT' ? 'upstream_timeout' : 'upstream_generation_failed',
  );
}
