/**
 * Per provider type: the public endpoint (per the provider SDK's base_url convention, design §4), the
 * conventional environment variables for its credentials, and which settings it reads. Pure data, kept
 * apart from the adapters so that `aigw validate` can normalize a manifest without loading any adapter.
 * `{region}` and `{location}` in a base URL are filled from the entry's settings.
 * @see /work/shared/providers.md §0 and §9
 */
import type { ProviderType } from './contract.js';

export interface ProviderDefaults {
  readonly baseUrl: string;
  /** credential field → environment variable used when the manifest names none. */
  readonly credentialEnv: Readonly<Record<string, string>>;
  /** Non-secret settings this provider reads (others are a lint error). */
  readonly settings: readonly string[];
  /** Settings without which no request can be built (e.g. bedrock region). */
  readonly requiredSettings: readonly string[];
  /** Settings defaults (e.g. azure api_version). */
  readonly settingDefaults: Readonly<Record<string, string>>;
  /** The key is optional: requests go out without auth when none is set (a local vLLM server). */
  readonly credentialOptional?: true;
}

const openAICompatible = (baseUrl: string, keyEnv: string): ProviderDefaults => ({
  baseUrl,
  credentialEnv: { api_key: keyEnv },
  settings: [],
  requiredSettings: [],
  settingDefaults: {},
});

export const PROVIDER_DEFAULTS: Readonly<Record<ProviderType, ProviderDefaults>> = {
  openai: openAICompatible('https://api.openai.com/v1', 'OPENAI_API_KEY'),
  'azure-openai': {
    baseUrl: 'https://{resource}.openai.azure.com',
    credentialEnv: { api_key: 'AZURE_OPENAI_API_KEY' },
    settings: ['api_version', 'resource'],
    requiredSettings: [],
    settingDefaults: { api_version: '2024-10-21' },
  },
  anthropic: {
    baseUrl: 'https://api.anthropic.com',
    credentialEnv: { api_key: 'ANTHROPIC_API_KEY' },
    settings: ['api_version'],
    requiredSettings: [],
    settingDefaults: { api_version: '2023-06-01' },
  },
  bedrock: {
    baseUrl: 'https://bedrock-runtime.{region}.amazonaws.com',
    // api_key is a Bedrock API key (bearer); when it has a value it is used instead of SigV4.
    credentialEnv: {
      access_key_id: 'AWS_ACCESS_KEY_ID', secret_access_key: 'AWS_SECRET_ACCESS_KEY', session_token: 'AWS_SESSION_TOKEN',
      api_key: 'AWS_BEARER_TOKEN_BEDROCK',
    },
    settings: ['region'],
    requiredSettings: ['region'],
    settingDefaults: {},
  },
  gemini: {
    baseUrl: 'https://generativelanguage.googleapis.com',
    credentialEnv: { api_key: 'GEMINI_API_KEY' },
    settings: ['api_version'],
    requiredSettings: [],
    settingDefaults: { api_version: 'v1beta' },
  },
  'vertex-ai': {
    baseUrl: 'https://{location}-aiplatform.googleapis.com',
    // Preferred in this order when several have a value: an OAuth2 access token, a service-account key
    // file (path or JSON; the transport mints tokens), an express-mode API key. Express mode needs no
    // project, so none is required here; the adapter reports a missing project otherwise.
    credentialEnv: { access_token: 'GOOGLE_OAUTH_ACCESS_TOKEN', service_account: 'GOOGLE_APPLICATION_CREDENTIALS', api_key: 'GOOGLE_API_KEY' },
    settings: ['project', 'location', 'api_version'],
    requiredSettings: [],
    settingDefaults: { api_version: 'v1', location: 'us-central1' },
  },
  mistral: openAICompatible('https://api.mistral.ai/v1', 'MISTRAL_API_KEY'),
  cohere: { baseUrl: 'https://api.cohere.com', credentialEnv: { api_key: 'COHERE_API_KEY' }, settings: [], requiredSettings: [], settingDefaults: {} },
  groq: openAICompatible('https://api.groq.com/openai/v1', 'GROQ_API_KEY'),
  together: openAICompatible('https://api.together.xyz/v1', 'TOGETHER_API_KEY'),
  fireworks: openAICompatible('https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'),
  deepseek: openAICompatible('https://api.deepseek.com', 'DEEPSEEK_API_KEY'),
  xai: openAICompatible('https://api.x.ai/v1', 'XAI_API_KEY'),
  perplexity: openAICompatible('https://api.perplexity.ai', 'PERPLEXITY_API_KEY'),
  openrouter: openAICompatible('https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY'),
  ollama: { baseUrl: 'http://localhost:11434', credentialEnv: {}, settings: [], requiredSettings: [], settingDefaults: {} },
  // Bearer only when a key is set (its adapter profile's 'bearer-when-configured').
  vllm: { ...openAICompatible('http://localhost:8000/v1', 'VLLM_API_KEY'), credentialOptional: true },
};
