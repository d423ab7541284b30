/**
 * Where `aigw mock` serves each provider: `<origin>/<provider-id>` followed by the path part of the
 * provider's default base URL, so a manifest (or an official SDK) points at the mock by swapping only
 * the origin: openai → `/openai/v1`, groq → `/groq/openai/v1`, perplexity → `/perplexity`,
 * anthropic → `/anthropic`, bedrock → `/bedrock`.
 */
import { PROVIDER_TYPES, type ProviderType } from '../adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../adapters/provider-defaults.js';

/** The path of a base URL (`https://api.groq.com/openai/v1` → `/openai/v1`); templates like `{region}` stay in the host. */
export function basePath(baseUrl: string): string {
  const path = baseUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return path.replace(/\/+$/, '');
}

/** The mock base URL of a provider type, to use as the target's `base_url`. */
export function mockBaseUrl(providerType: ProviderType, origin: string): string {
  return `${origin.replace(/\/+$/, '')}/${providerType}${basePath(PROVIDER_DEFAULTS[providerType].baseUrl)}`;
}

export function isProviderType(value: string): value is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(value);
}
