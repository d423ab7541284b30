/**
 * Gemini gives function calls no id (the API's fixtures carry none) but, on thinking models, a
 * `thoughtSignature` that must come back unchanged with the call in the next request's history, or
 * Gemini 3 answers 400. OpenAI clients echo tool-call ids verbatim and drop unknown fields, so the
 * signature rides inside the id: `call_<n>` or `call_<n>__thought__<signature>` (the separator LiteLLM
 * uses, so histories written through either gateway read the same). Ids are deterministic: the n-th
 * call of a choice, counted from 0, never a random value.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */

const SEPARATOR = '__thought__';

/** The OpenAI id for the `ordinal`-th function call of a choice. Gemini's own id, when present, wins. */
export function toolCallId(ordinal: number, geminiId: string | undefined, thoughtSignature: string | undefined): string {
  const base = geminiId !== undefined && geminiId !== '' ? geminiId : `call_${ordinal}`;
  return thoughtSignature === undefined || thoughtSignature === '' ? base : `${base}${SEPARATOR}${thoughtSignature}`;
}

/** The signature carried by an id written by `toolCallId`, if any. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(SEPARATOR);
  if (at < 0) return undefined;
  const signature = id.slice(at + SEPARATOR.length);
  return signature === '' ? undefined : signature;
}
