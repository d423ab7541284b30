/**
 * Error bodies of OpenAI-compatible providers → the fields the shared policy classifies. Parsed
 * defensively because the family disagrees (providers.md §9 "General compat caveats"):
 * OpenAI `{error:{message,type,param,code}}`, Azure string codes and `innererror`, OpenRouter numeric
 * `code` with moderation `metadata`, Mistral `{object:"error",message,…}`, FastAPI-style `{detail}`
 * (vLLM, Mistral 422), `{error:"text"}` and `{message:"text"}`.
 * Only message, type, param and code are read: never `metadata.flagged_input`, `detail[].input` or
 * other fields that echo the prompt.
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://openrouter.ai/docs/api-reference/errors
 */
import type { TranslatedError } from '../contract.js';
import { asCode, asRecord, translateProviderError, type ProviderErrorFields } from '../error-common.js';
import { parseJson, stringOr } from '../json-value.js';

export function readErrorFields(body: string): ProviderErrorFields {
  const root = asRecord(parseJson(body));
  if (root === undefined) return {};
  return readErrorObject(root);
}

/** Also used for in-stream `data: {"error": …}` events. */
export function readErrorObject(root: Readonly<Record<string, unknown>>): ProviderErrorFields {
  const error = root['error'];
  const nested = asRecord(error);
  if (nested !== undefined) {
    const inner = asRecord(nested['innererror']);
    const metadata = asRecord(nested['metadata']);
    return {
      message: stringOr(nested['message']),
      type: stringOr(nested['type']),
      param: stringOr(nested['param']),
      code: asCode(nested['code']),
      contentFilter: stringOr(inner?.['code']) === 'ResponsibleAIPolicyViolation' || Array.isArray(metadata?.['reasons']),
    };
  }
  if (typeof error === 'string') return { message: error };
  const detail = root['detail'];
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) return { message: detail.map(describeDetail).filter((text) => text !== '').join('; ') };
  return { message: stringOr(root['message']), type: stringOr(root['type']), param: stringOr(root['param']), code: asCode(root['code']) };
}

/** FastAPI/pydantic validation entries: location and reason only (their `input` echoes the request). */
function describeDetail(entry: unknown): string {
  const record = asRecord(entry);
  if (record === undefined) return '';
  const location = Array.isArray(record['loc']) ? record['loc'].map(String).join('.') : '';
  const reason = stringOr(record['msg']) ?? '';
  return location === '' ? reason : `${location}: ${reason}`;
}

export function parseCompatibleError(provider: string, status: number, headers: Readonly<Record<string, string>>, body: string): TranslatedError {
  return translateProviderError(provider, status, headers, readErrorFields(body));
}
