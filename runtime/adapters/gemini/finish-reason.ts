/**
 * Gemini `finishReason` → OpenAI `finish_reason` (providers.md §10.1). `STOP` with function calls is
 * `tool_calls` (Gemini has no tool-specific reason). A malformed or unexpected function call is not a
 * clean stop — reporting it as one would pass a broken tool turn off as success (design §10.6) — so it
 * becomes an error the engine can fail over on. Unknown values map to `stop`; the raw value is kept for
 * the audit record by the caller.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 * @see https://github.com/vercel/ai/blob/main/packages/google/src/map-google-generative-ai-finish-reason.ts
 */
import type { TranslatedError } from '../contract.js';
import { providerFailure } from '../error-common.js';
import type { FinishReason } from '../../openai/wire.js';

export type GeminiFinish =
  | { readonly type: 'finish'; readonly reason: FinishReason }
  | { readonly type: 'error'; readonly code: string };

const CONTENT_FILTER = new Set([
  'SAFETY', 'RECITATION', 'LANGUAGE', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII',
  'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);

const BROKEN_TOOL_TURN = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

export function mapGeminiFinishReason(raw: string, hasFunctionCalls: boolean): GeminiFinish {
  if (raw === 'MAX_TOKENS') return { type: 'finish', reason: 'length' };
  if (CONTENT_FILTER.has(raw)) return { type: 'finish', reason: 'content_filter' };
  if (BROKEN_TOOL_TURN.has(raw)) return { type: 'error', code: raw };
  // STOP, OTHER, NO_IMAGE, IMAGE_OTHER, FINISH_REASON_UNSPECIFIED and values added later.
  return { type: 'finish', reason: hasFunctionCalls ? 'tool_calls' : 'stop' };
}

/** The error for a broken tool turn: the model's fault, so another target may do better. */
export function brokenToolTurn(code: string): TranslatedError {
  return providerFailure(`Gemini ended the turn with ${code}: the model produced a function call it could not complete.`, code.toLowerCase());
}
