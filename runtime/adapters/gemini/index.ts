/**
 * The Gemini API adapter (Google AI Studio keys): `{base_url}/{api_version}/models/{model}:generateContent`
 * and `:streamGenerateContent?alt=sse`, authenticated with the `x-goog-api-key` header.
 * @see https://ai.google.dev/api/generate-content
 * @see /work/shared/providers.md §4.1
 */
import type { AuthSpec, NativeRequest, ProviderAdapter, TargetContext } from '../contract.js';
import { PROVIDER_DEFAULTS } from '../provider-defaults.js';
import { missingCredential } from '../request-translation.js';
import { parseGeminiError } from './error.js';
import { geminiParams } from './params.js';
import { geminiApiOf, translateGeminiRequest } from './request.js';
import { parseGeminiResponse } from './response.js';
import { createGeminiStreamTranslator } from './stream.js';
import type { GeminiRequestBody } from './wire.js';

const LABEL = 'Gemini';

/**
 * `models/{model}` unless the target already names a resource path (`tunedModels/…`, `models/…`).
 * Model ids are [a-z0-9.-]; a path segment is kept as written, so no encoding is applied.
 */
export function modelResource(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/** `:generateContent`, or `:streamGenerateContent?alt=sse` (without alt=sse the API streams a JSON array). */
export function methodSuffix(stream: boolean): string {
  return stream ? ':streamGenerateContent?alt=sse' : ':generateContent';
}

/** The native request around a body; shared with Vertex AI, which differs only in URL and auth. */
export function geminiNativeRequest(url: string, body: GeminiRequestBody, auth: AuthSpec, stream: boolean): NativeRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    auth,
    stream: stream ? { framing: 'sse' } : false,
  };
}

function geminiVersion(target: TargetContext): string {
  return target.settings['api_version'] ?? PROVIDER_DEFAULTS.gemini.settingDefaults['api_version'] ?? 'v1beta';
}

function geminiUrl(target: TargetContext, stream: boolean): string {
  return `${target.baseUrl}/${geminiVersion(target)}/${modelResource(target.model)}${methodSuffix(stream)}`;
}

export const geminiAdapter: ProviderAdapter = {
  type: 'gemini',
  params: geminiParams,
  // A trailing `model` turn is not documented as a prefill for Gemini; enable per target when verified.
  supportsPrefill: false,
  buildRequest(request, target, options = {}) {
    const apiKey = target.credentials['api_key'];
    if (apiKey === undefined) return { ok: false, error: missingCredential(target.providerId, 'api_key') };
    const stream = request.stream === true;
    return translateGeminiRequest(request, target, options, (body) =>
      geminiNativeRequest(geminiUrl(target, stream), body, { kind: 'header', name: 'x-goog-api-key', secret: apiKey }, stream), geminiApiOf(geminiVersion(target)));
  },
  parseResponse: (status, headers, body, context) =>
    status >= 400 ? { ok: false, error: parseGeminiError(LABEL, status, headers, body) } : parseGeminiResponse(LABEL, body, context),
  createStreamTranslator: (context) => createGeminiStreamTranslator(LABEL, context),
  parseError: (status, headers, body) => parseGeminiError(LABEL, status, headers, body),
};
