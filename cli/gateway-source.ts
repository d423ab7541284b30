/**
 * A running gateway as a manifest source (`aigw diff MANIFEST --gateway URL`): the live document from
 * signed GET /admin/config, as JSON text the shared loader reads like any file. Secrets arrive masked
 * (`${VAR}` as written, literals as `****`), so a literal secret in the local file shows as a masked
 * change — the gateway never sends the value.
 */
import type { ManifestSourceText } from '../runtime/manifest/load-manifest.js';
import { createAdminClient, describeRejection, isRecord, loadSigningKey } from './admin-client.js';
import type { Io } from './io.js';
import { InputError } from './usage-error.js';

export interface GatewaySourceSpec {
  readonly url: string;
  /** Default: AIGW_ADMIN_KEY_ID. */
  readonly keyId?: string;
  /** Default: AIGW_ADMIN_KEY_FILE. */
  readonly keyFile?: string;
}

export async function readGatewayManifest(spec: GatewaySourceSpec, io: Io): Promise<ManifestSourceText> {
  const key = await loadSigningKey({ keyId: spec.keyId, keyFile: spec.keyFile }, io);
  const client = await createAdminClient(key, io);
  try {
    const response = await client.request(spec.url.replace(/\/+$/, ''), { method: 'GET', path: '/admin/config' });
    if (response.status !== 200 || !isRecord(response.body) || response.body['manifest'] === undefined) {
      throw new InputError(`gateway ${spec.url} refused GET /admin/config: ${describeRejection(response)}`);
    }
    return { text: JSON.stringify(response.body['manifest'], null, 2), file: spec.url };
  } finally {
    await client.close();
  }
}
