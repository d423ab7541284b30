/**
 * Gemini 3 validates thought signatures on function calls: the first `functionCall` part of each model
 * step must carry the signature Gemini returned with it (parallel calls: only the first has one), else
 * it answers 400 "Function call is missing a thought_signature". Calls another provider wrote (a route
 * that mixes targets, a failover mid-loop) have no signature, so such a part gets Google's documented
 * placeholder instead.
 *
 * Scope: Google documents the placeholder for Gemini 3 only (history moved over from another model,
 * Gemini 2.5 included, or calls Gemini 3 did not generate); no page says every model accepts it. So it
 * is sent only to model ids naming Gemini 3 or later; earlier models do not require signatures.
 * `skip_thought_signature_validator` rather than `context_engineering_is_the_way_to_go` because the
 * Vertex AI page documents that one too.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures#faqs
 * @see https://ai.google.dev/gemini-api/docs/gemini-3#migrating_from_other_models
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/thought-signatures#using-rest-or-manual-handling
 */
import type { GeminiContent, GeminiPart } from './wire.js';

export const FOREIGN_CALL_SIGNATURE = 'skip_thought_signature_validator';

/** `gemini-<major>` as a model id or its last path segments (`models/…`, `publishers/google/models/…`). */
const GEMINI_MAJOR = /(?:^|\/)gemini-(\d+)(?=[.-]|$)/;

/** True when the model validates function-call signatures (Gemini 3 and later). */
export function validatesCallSignatures(model: string): boolean {
  const major = GEMINI_MAJOR.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

/** Each model turn whose first function call has no signature gets the placeholder on that part. */
export function signForeignCalls(contents: readonly GeminiContent[]): GeminiContent[] {
  return contents.map((content) => {
    if (content.role !== 'model') return content;
    const first = content.parts.findIndex((part) => 'functionCall' in part);
    const part = content.parts[first];
    if (part === undefined || !('functionCall' in part) || part.thoughtSignature !== undefined) return content;
    const signed: GeminiPart = { ...part, thoughtSignature: FOREIGN_CALL_SIGNATURE };
    return { ...content, parts: content.parts.map((each, index) => (index === first ? signed : each)) };
  });
}
