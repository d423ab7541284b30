/**
 * Gemini gives function calls no id (the API's fixtures carry none) but, on thinking models, a
 * `thoughtSignature` that must come back unchanged with the call in the next request's history, or
 * Gemini 3 answers 400. OpenAI clients echo tool-call ids verbatim and drop unknown fields, so the
 * signature rides inside the id: `call_<response>_<n>` or `call_<response>_<n>__thought__<signature>`
 * (the separator LiteLLM uses, so histories written through either gateway read the same).
 * `<response>` is the completion id without its `chatcmpl-` prefix (as the Ollama adapter does) and n
 * counts the choice's calls from 0: without the per-response part every answer would start again at
 * `call_0`, and a tool loop of two rounds would replay duplicate ids, which Anthropic and Bedrock
 * reject. Both parts come from the caller, so ids stay deterministic (never random).
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */

const SEPARATOR = '__thought__';

/**
 * The OpenAI id for the `ordinal`-th function call of a choice in the response `completionId`.
 * Gemini's own id, when present, wins.
 */
export function toolCallId(completionId: string, ordinal: number, geminiId: string | undefined, thoughtSignature: string | undefined): string {
  const base = geminiId !== undefined && geminiId !== '' ? geminiId : `call_${completionId.replace(/^chatcmpl-/, '')}_${ordinal}`;
  return thoughtSignature === undefined || thoughtSignature === '' ? base : `${base}${SEPARATOR}${thoughtSignature}`;
}

/** The signature carried by an id written by `toolCallId`, if any. */
export function thoughtSignatureOf(id: string): string | undefined {
  const at = id.indexOf(SEPARATOR);
  if (at < 0) return undefined;
  const signature = id.slice(at + SEPARATOR.length);
  return signature === '' ? undefined : signature;
}
