/**
 * The Cohere v2 Chat adapter (design §4): `{base_url}/v2/chat`, bearer auth, SSE whose events carry
 * their type in the JSON. No assistant prefill: a continuation cannot be sent to Cohere.
 * @see https://docs.cohere.com/reference/chat
 */
import type { ProviderAdapter } from '../contract.js';
import { parseCohereError } from './error.js';
import { buildChatRequest, cohereParams } from './request.js';
import { parseChatResponse } from './response.js';
import { createChatStreamTranslator } from './stream.js';

export const cohereAdapter: ProviderAdapter = {
  type: 'cohere',
  params: cohereParams,
  supportsPrefill: false,
  buildRequest: buildChatRequest,
  parseResponse: parseChatResponse,
  createStreamTranslator: createChatStreamTranslator,
  parseError: parseCohereError,
};
