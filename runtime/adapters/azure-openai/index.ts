/**
 * Azure OpenAI (deployment URLs): the OpenAI body and answers, posted to
 * `{base_url}/openai/deployments/{deployment}/chat/completions?api-version=…` with the target's model
 * naming the deployment, authenticated by the `api-key` header or, when an `access_token` (Microsoft
 * Entra) is configured, a bearer token. Its quirks are handled by the shared OpenAI-family translators:
 * the filter-only first stream chunk (`choices: []`, empty id/model, no usage) is skipped, the
 * `content_filter` finish reason passes, the 400 `content_filter` body is a `content_filter` failure
 * returned to the client, and string `code`s (`"429"`) are kept as the envelope code.
 * @see https://learn.microsoft.com/azure/ai-services/openai/reference
 * @see /work/shared/providers.md §2
 */
import type { AuthSpec, ProviderAdapter, TargetContext } from '../contract.js';
import { createFamilyAdapter } from '../openai-compatible/family.js';
import { joinUrl, paramTable } from '../openai-compatible/request.js';
import { PROVIDER_DEFAULTS } from '../provider-defaults.js';

export function azureUrl(target: TargetContext): string {
  const version = target.settings['api_version'] ?? PROVIDER_DEFAULTS['azure-openai'].settingDefaults['api_version'] ?? '2024-10-21';
  return joinUrl(target.baseUrl, `/openai/deployments/${encodeURIComponent(target.model)}/chat/completions?api-version=${encodeURIComponent(version)}`);
}

/** An Entra `access_token` wins when it holds a value; otherwise the `api-key` header. */
function azureAuth(target: TargetContext): AuthSpec | undefined {
  const token = target.credentials['access_token'];
  const key = target.credentials['api_key'];
  if (token !== undefined && (token.present || key === undefined)) return { kind: 'bearer', secret: token };
  return key === undefined ? undefined : { kind: 'header', name: 'api-key', secret: key };
}

export const azureOpenAIAdapter: ProviderAdapter = createFamilyAdapter({
  type: 'azure-openai',
  params: paramTable([], 'pass'),
  supportsPrefill: false,
  body: {
    // Older api-versions and models reject `developer`; `system` is accepted everywhere (o-series models
    // treat it as developer).
    developerRoleAs: 'system',
    streamUsage: 'force-include',
    renames: {},
    prefill: { message: { role: 'assistant' }, fields: {} },
  },
  url: azureUrl,
  auth: azureAuth,
  credentialField: 'api_key',
});
