/**
 * Vertex AI's URL and authentication around the shared Gemini body (providers.md §4.7).
 * URL: `{base_url}/{api_version}/projects/{project}/locations/{location}/publishers/google/models/{model}`
 * + `:generateContent` | `:streamGenerateContent?alt=sse`; express mode (an API key, no project) drops
 * the project/location segments and uses the global host. `location: global` is served by
 * `https://aiplatform.googleapis.com`, not `global-aiplatform…`.
 * Auth, first credential present wins: `access_token` → bearer; `service_account` (a key file, its
 * path or JSON) → the transport mints and refreshes OAuth2 tokens with google-auth-library; `api_key`
 * → `x-goog-api-key` (express mode).
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/start/express-mode/overview
 */
import type { AuthSpec, TargetContext, TranslatedError } from '../contract.js';
import { PROVIDER_DEFAULTS } from '../provider-defaults.js';
import { missingCredential } from '../request-translation.js';
import { methodSuffix } from '../gemini/index.js';
import type { SecretRef } from '../../secrets.js';

const GLOBAL_HOST = 'https://aiplatform.googleapis.com';

export type VertexAuth =
  | { readonly ok: true; readonly auth: AuthSpec; readonly express: boolean }
  | { readonly ok: false; readonly error: TranslatedError };

/** Credential fields in the order they are preferred. */
const CREDENTIAL_ORDER = ['access_token', 'service_account', 'api_key'] as const;

export function vertexAuth(target: TargetContext): VertexAuth {
  const configured = CREDENTIAL_ORDER.filter((field) => target.credentials[field] !== undefined);
  // An env-backed secret may be unset; prefer one that has a value, else the first configured one (the
  // transport then reports the missing value and the engine fails over).
  const field = configured.find((name) => target.credentials[name]?.present === true) ?? configured[0];
  const secret: SecretRef | undefined = field === undefined ? undefined : target.credentials[field];
  if (field === undefined || secret === undefined) {
    return { ok: false, error: missingCredential(target.providerId, 'access_token, service_account or api_key') };
  }
  if (field === 'access_token') return { ok: true, auth: { kind: 'bearer', secret }, express: false };
  if (field === 'service_account') return { ok: true, auth: { kind: 'google-service-account', keyFile: secret }, express: false };
  return { ok: true, auth: { kind: 'header', name: 'x-goog-api-key', secret }, express: target.settings['project'] === undefined };
}

/** The URL, or undefined when a project is needed and missing (only express mode goes without). */
export function vertexVersion(target: TargetContext): string {
  return target.settings['api_version'] ?? PROVIDER_DEFAULTS['vertex-ai'].settingDefaults['api_version'] ?? 'v1';
}

export function vertexUrl(target: TargetContext, stream: boolean, express: boolean): string | undefined {
  const defaults = PROVIDER_DEFAULTS['vertex-ai'].settingDefaults;
  const version = vertexVersion(target);
  const location = target.settings['location'] ?? defaults['location'] ?? 'global';
  const project = target.settings['project'];
  const base = baseFor(target.baseUrl, express || location === 'global');
  const suffix = methodSuffix(stream);
  // A full resource name (a tuned-model endpoint, another publisher) is used as written.
  if (target.model.includes('/')) return `${base}/${version}/${target.model}${suffix}`;
  const model = `publishers/google/models/${target.model}`;
  if (express) return `${base}/${version}/${model}${suffix}`;
  if (project === undefined) return undefined;
  return `${base}/${version}/projects/${project}/locations/${location}/${model}${suffix}`;
}

/**
 * The default base URL is `https://{location}-aiplatform.googleapis.com`; the global location and
 * express mode live on the host without a region prefix. A base URL the manifest set is kept.
 */
function baseFor(baseUrl: string, global: boolean): string {
  if (!global) return baseUrl;
  if (baseUrl.includes('{location}') || /^https:\/\/global-aiplatform\.googleapis\.com$/.test(baseUrl)) return GLOBAL_HOST;
  if (/^https:\/\/[a-z0-9-]+-aiplatform\.googleapis\.com$/.test(baseUrl)) return GLOBAL_HOST;
  return baseUrl;
}
