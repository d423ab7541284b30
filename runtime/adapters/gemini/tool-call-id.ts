/**
 * OpenAI tool-call ids for Gemini's function calls, and what the next request reads back from them.
 * OpenAI clients echo tool-call ids verbatim and drop unknown fields, so what Gemini needs again rides
 * inside the id: `call_<response>_<n>[__gemini__<id>][__thought__<signature>]`.
 * - `<response>` is the completion id without its `chatcmpl-` prefix (as the Ollama adapter does) and n
 *   counts the choice's calls from 0: without the per-response part every answer would start again at
 *   `call_0`, and a tool loop of two rounds would replay duplicate ids, which Anthropic and Bedrock
 *   reject. Both parts come from the caller, so ids stay deterministic (never random).
 * - `<id>` is the call's own `id` when Gemini gave one (the API's older fixtures carry none; Gemini 3
 *   gives them). The next request echoes it in the call and in its `functionResponse.id`, which Gemini
 *   defines for exactly that. The marker tells Gemini's ids from those of other providers or clients,
 *   which are never sent to Gemini as its own.
 * - `<signature>` is the call's `thoughtSignature` (thinking models), which must come back unchanged
 *   with the call in the next request's history, or Gemini 3 answers 400. The separator is the one
 *   LiteLLM uses, so histories written through either gateway read the same.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 * @see https://ai.google.dev/api/caching#FunctionResponse
 */

const SIGNATURE_SEPARATOR = '__thought__';
const GEMINI_ID_SEPARATOR = '__gemini__';

/** The OpenAI id for the `ordinal`-th function call of a choice in the response `completionId`. */
export function toolCallId(completionId: string, ordinal: number, geminiId: string | undefined, thoughtSignature: string | undefined): string {
  const base = `call_${completionId.replace(/^chatcmpl-/, '')}_${ordinal}`;
  // An id holding a separator could not be read back whole; it is left out (the call pairs by position).
  const withId = geminiId === undefined || geminiId === '' || geminiId.includes(GEMINI_ID_SEPARATOR) || geminiId.includes(SIGNATURE_SEPARATOR)
    ? base
    : `${base}${GEMINI_ID_SEPARATOR}${geminiId}`;
  return thoughtSignature === undefined || thoughtSignature === '' ? withId : `${withId}${SIGNATURE_SEPARATOR}${thoughtSignature}`;
}

/** The signature carried by an id written by `toolCallId`, if any. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_SEPARATOR);
  if (at < 0) return undefined;
  const signature = id.slice(at + SIGNATURE_SEPARATOR.length);
  return signature === '' ? undefined : signature;
}

/** Gemini's own call id carried by an id written by `toolCallId`; undefined for any other id. */
export function geminiCallIdOf(id: string): string | undefined {
  const signatureAt = id.indexOf(SIGNATURE_SEPARATOR);
  const base = signatureAt < 0 ? id : id.slice(0, signatureAt);
  const at = base.indexOf(GEMINI_ID_SEPARATOR);
  if (at < 0) return undefined;
  const geminiId = base.slice(at + GEMINI_ID_SEPARATOR.length);
  return geminiId === '' ? undefined : geminiId;
}
