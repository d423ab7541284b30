/**
 * The pass-through adapter for OpenAI-compatible providers, parametrised by a profile: the body is the
 * client's OpenAI body (renames, role mapping and table checks aside), posted to
 * `{base_url}/chat/completions` with bearer auth; answers are normalised to strict OpenAI shapes.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 * @see /work/shared/providers.md §9
 */
import type { AuthSpec, ProviderAdapter, TargetContext } from '../contract.js';
import { createFamilyAdapter } from './family.js';
import type { OpenAICompatibleProfile } from './profiles.js';
import { joinUrl, paramTable } from './request.js';

export function createOpenAICompatibleAdapter(profile: OpenAICompatibleProfile): ProviderAdapter {
  return createFamilyAdapter({
    type: profile.type,
    // Unknown fields pass: OpenAI-compatible servers take their own extensions (vLLM top_k, …) in the body.
    params: paramTable(profile.unsupported, 'pass'),
    supportsPrefill: profile.supportsPrefill,
    body: {
      developerRoleAs: profile.developerRoleAs,
      streamUsage: profile.streamUsage,
      renames: profile.maxTokensParam === 'max_tokens' ? { max_completion_tokens: 'max_tokens' } : {},
      // Without declared support the engine sends a prefill only when the manifest says the model takes
      // one (`prefill: true`); it then goes as a plain final assistant message.
      prefill: { message: { role: 'assistant' }, fields: profile.prefillFields },
    },
    url: (target) => joinUrl(target.baseUrl, '/chat/completions'),
    auth: (target) => bearerAuth(profile, target),
    credentialField: 'api_key',
  });
}

function bearerAuth(profile: OpenAICompatibleProfile, target: TargetContext): AuthSpec | undefined {
  const key = target.credentials['api_key'];
  if (profile.auth === 'bearer-when-configured') return key?.present === true ? { kind: 'bearer', secret: key } : { kind: 'none' };
  return key === undefined ? undefined : { kind: 'bearer', secret: key };
}
