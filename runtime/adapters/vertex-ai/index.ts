/**
 * The Vertex AI adapter for Google's Gemini models: the Gemini translation (same JSON body, same
 * responses, same SSE stream) behind Vertex's URL and OAuth2 / express-mode authentication. Vertex
 * sometimes wraps error bodies in an array; the shared error parser reads both forms.
 * @see /work/shared/providers.md §4.7
 */
import type { ProviderAdapter } from '../contract.js';
import { parseGeminiError } from '../gemini/error.js';
import { geminiNativeRequest } from '../gemini/index.js';
import { geminiParams } from '../gemini/params.js';
import { geminiApiOf, translateGeminiRequest } from '../gemini/request.js';
import { parseGeminiResponse } from '../gemini/response.js';
import { createGeminiStreamTranslator } from '../gemini/stream.js';
import { missingCredential } from '../request-translation.js';
import { vertexAuth, vertexUrl, vertexVersion } from './request.js';

const LABEL = 'Vertex AI';

export const vertexAiAdapter: ProviderAdapter = {
  type: 'vertex-ai',
  params: geminiParams,
  // As for the Gemini API: a trailing model turn is not a documented prefill; enable per target.
  supportsPrefill: false,
  buildRequest(request, target, options = {}) {
    const auth = vertexAuth(target);
    if (!auth.ok) return auth;
    const stream = request.stream === true;
    const url = vertexUrl(target, stream, auth.express);
    if (url === undefined) return { ok: false, error: missingCredential(target.providerId, 'project (settings.project)') };
    return translateGeminiRequest(request, target, options, (body) => geminiNativeRequest(url, body, auth.auth, stream), geminiApiOf(vertexVersion(target)));
  },
  parseResponse: (status, headers, body, context) =>
    status >= 400 ? { ok: false, error: parseGeminiError(LABEL, status, headers, body) } : parseGeminiResponse(LABEL, body, context),
  createStreamTranslator: (context) => createGeminiStreamTranslator(LABEL, context),
  parseError: (status, headers, body) => parseGeminiError(LABEL, status, headers, body),
};
