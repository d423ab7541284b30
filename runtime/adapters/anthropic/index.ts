/**
 * The Anthropic Messages adapter (design §4): `{base_url}/v1/messages`, `x-api-key` and
 * `anthropic-version` (the entry's `api_version`, default 2023-06-01), SSE with named events.
 * Prefill is supported: a stream continuation is sent as a final assistant turn (design §3.6); models
 * that reject prefill answer 400 (client_error), which the engine recognises because it sent one.
 * @see https://docs.claude.com/en/api/messages
 */
import type { ProviderAdapter } from '../contract.js';
import { parseAnthropicError } from './error.js';
import { anthropicParams, buildMessagesRequest } from './request.js';
import { parseMessagesResponse } from './response.js';
import { createMessagesStreamTranslator } from './stream.js';

export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  params: anthropicParams,
  supportsPrefill: true,
  buildRequest: buildMessagesRequest,
  parseResponse: parseMessagesResponse,
  createStreamTranslator: createMessagesStreamTranslator,
  parseError: parseAnthropicError,
};
