/**
 * The Ollama adapter for the native `/api/chat` (design §4): `{base_url}/api/chat`, no auth locally
 * (a bearer token when the entry has an api_key: ollama.com, authenticating proxies), NDJSON streams.
 * Prefill is supported: Ollama continues a final assistant message (design §3.6).
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md
 */
import type { ProviderAdapter } from '../contract.js';
import { parseOllamaError } from './error.js';
import { buildChatRequest, ollamaParams } from './request.js';
import { parseChatResponse } from './response.js';
import { createChatStreamTranslator } from './stream.js';

export const ollamaAdapter: ProviderAdapter = {
  type: 'ollama',
  params: ollamaParams,
  supportsPrefill: true,
  buildRequest: buildChatRequest,
  parseResponse: parseChatResponse,
  createStreamTranslator: createChatStreamTranslator,
  parseError: parseOllamaError,
};
