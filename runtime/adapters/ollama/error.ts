/**
 * Ollama errors → OpenAI envelope + failover class (providers.md §8.1). The body is `{"error": "…"}`,
 * also as an NDJSON line mid-stream while the HTTP status stays 200.
 *
 * | status | example | class |
 * |---|---|---|
 * | 400 "model is required", "…exceeds the context length…" | the request / prompt too long | client_error / context_length |
 * | 404 `model "x" not found, try pulling it first` | model not pulled | client_error (code model_not_found) |
 * | 401 / 403 (ollama.com cloud or an authenticating proxy) | the gateway's key | auth_error |
 * | 429 (cloud usage limits; no retry header) | | rate_limited |
 * | 500 / 502 / 503 "server busy…" | runner crashed, queue full | retryable_5xx |
 * @see https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
 */
import type { TranslatedError } from '../contract.js';
import { isContextLength, translateProviderError } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';

const PROVIDER = 'ollama';

export function parseOllamaError(status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  const parsed = parseJson(body);
  return translateOllamaError(status, headers, isRecord(parsed) ? stringOr(parsed['error']) : undefined);
}

/** The error string of a body or NDJSON line; in-band errors pass status 500 (the stream's own is 200). */
export function translateOllamaError(status: number, headers: Readonly<Record<string, string>>, message: string | undefined): TranslatedError {
  const contextLength = message !== undefined && isContextLength({ message }) && (status === 400 || status === 500);
  const modelNotFound = status === 404 && message !== undefined && /not found/i.test(message);
  const code = contextLength ? 'context_length_exceeded' : modelNotFound ? 'model_not_found' : undefined;
  // A context overflow reported mid-stream (status 500) is the prompt's fault, not the server's.
  return translateProviderError(PROVIDER, contextLength ? 400 : status, headers, { message, ...(code === undefined ? {} : { code }) });
}
