/**
 * The Bedrock Converse adapter: `{base_url}/model/{modelId}/converse` and `/converse-stream` (binary
 * `application/vnd.amazon.eventstream` frames), signed with SigV4 (service `bedrock`) by the transport,
 * or a Bedrock API key as bearer token.
 * @see /work/shared/providers.md §5
 */
import type { ProviderAdapter } from '../contract.js';
import { translateRequest } from '../request-translation.js';
import { parseBedrockError } from './error.js';
import { bedrockParams } from './params.js';
import { bedrockAuth, bedrockUrl, buildBedrockBody } from './request.js';
import { parseBedrockResponse } from './response.js';
import { createBedrockStreamTranslator } from './stream.js';

export const bedrockAdapter: ProviderAdapter = {
  type: 'bedrock',
  params: bedrockParams,
  // A trailing assistant message continues the answer for Anthropic models on Converse, not for every
  // model family; off by default, enabled per provider entry or target with `prefill: true`.
  supportsPrefill: false,
  buildRequest(request, target, options = {}) {
    const auth = bedrockAuth(target);
    if (!auth.ok) return auth;
    const stream = request.stream === true;
    return translateRequest(request, target, bedrockParams, (checked, policy) => ({
      method: 'POST',
      url: bedrockUrl(target, auth.region, stream),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildBedrockBody(checked, target, policy, options)),
      auth: auth.auth,
      stream: stream ? { framing: 'aws-eventstream' } : false,
    }));
  },
  parseResponse: (status, headers, body, context) =>
    status >= 400 ? { ok: false, error: parseBedrockError(status, headers, body) } : parseBedrockResponse(body, context),
  createStreamTranslator: (context) => createBedrockStreamTranslator(context),
  parseError: (status, headers, body) => parseBedrockError(status, headers, body),
};
