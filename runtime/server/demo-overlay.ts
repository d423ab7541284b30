/**
 * `aigw serve --demo` (and `npm start`): every provider entry is pointed at the in-process mock with
 * the mock's test credentials, so a newcomer can call the gateway without a single real key. The
 * overlay applies to every manifest the gateway loads (startup, reload, watch), never to the file.
 */
import { MOCK_AWS_CREDENTIALS } from '../mock/sigv4-verify.js';
import { mockBaseUrl } from '../mock/mock-base-url.js';
import type { Manifest, ProviderEntry } from '../manifest/types.js';
import { literalSecret, type SecretRef } from '../secrets.js';

/** The mock accepts any non-empty key; this one says where it came from. */
export const DEMO_API_KEY = 'aigw-demo-key';

export function demoOverlay(manifest: Manifest, mockOrigin: string): Manifest {
  const providers = new Map<string, ProviderEntry>();
  for (const [id, entry] of manifest.providers) {
    providers.set(id, {
      ...entry,
      baseUrl: mockBaseUrl(entry.type, mockOrigin),
      credentials: demoCredentials(entry),
      settings: { ...demoSettings(entry), ...entry.settings },
    });
  }
  return { ...manifest, providers };
}

function demoCredentials(entry: ProviderEntry): Readonly<Record<string, SecretRef>> {
  switch (entry.type) {
    case 'bedrock':
      return { access_key_id: literalSecret(MOCK_AWS_CREDENTIALS.accessKeyId), secret_access_key: literalSecret(MOCK_AWS_CREDENTIALS.secretAccessKey) };
    case 'vertex-ai':
      return { access_token: literalSecret(DEMO_API_KEY) };
    case 'ollama':
      return {};
    default:
      return { api_key: literalSecret(DEMO_API_KEY) };
  }
}

function demoSettings(entry: ProviderEntry): Record<string, string> {
  switch (entry.type) {
    case 'bedrock':
      return { region: 'us-east-1' };
    case 'vertex-ai':
      return { project: 'aigw-demo', location: 'us-central1' };
    default:
      return {};
  }
}
