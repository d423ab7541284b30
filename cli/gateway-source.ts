/**
 * A running gateway as a manifest source (`aigw diff MANIFEST --gateway URL`): the live document from
 * signed GET /admin/config, as JSON text the shared loader reads like any file. Secrets arrive masked
 * (`${VAR}` as written, literals as `****`): the gateway never sends the value. Its live version comes
 * along: computed from the unmasked document, it tells whether a local file is the very same manifest.
 */
import type { SourceText } from './manifest-source.js';
import { createAdminClient, describeRejection, MAX_ADMIN_RESPONSE_BYTES, isRecord, loadSigningKey, printable, resolveGateways } from './admin-client.js';
import type { Io } from './io.js';
import { InputError, UsageError } from './usage-error.js';

export interface GatewaySourceSpec {
  readonly url: string;
  /** Default: AIGW_ADMIN_KEY_ID. */
  readonly keyId?: string;
  /** Default: AIGW_ADMIN_KEY_FILE. */
  readonly keyFile?: string;
}

export async function readGatewayManifest(spec: GatewaySourceSpec, io: Io): Promise<SourceText> {
  // The URL checks apply, status and rollback make (http or https, no query): a typo is a usage error.
  const gateways = await resolveGateways({ gateway: spec.url }, 'diff');
  const [gateway] = gateways;
  if (gateway === undefined || gateways.length > 1) {
    throw new UsageError(`--gateway ${spec.url} names ${gateways.length} gateways; diff compares with one (aigw status shows whether their versions agree)`);
  }
  const key = await loadSigningKey({ keyId: spec.keyId, keyFile: spec.keyFile }, io);
  const client = await createAdminClient(key, io);
  try {
    const response = await client.request(gateway, { method: 'GET', path: '/admin/config' });
    if (response.status !== 200 || !isRecord(response.body) || response.body['manifest'] === undefined) {
      throw new InputError(`gateway ${spec.url} refused GET /admin/config: ${printable(describeRejection(response))}`);
    }
    const version = response.body['version'];
    const text = JSON.stringify(response.body['manifest'], null, 2);
    // Re-printed as indented JSON, a live manifest near the 1 MiB file limit is half as large again;
    // the gateway accepted it, and the admin answer's own limit bounds it.
    const source = { text, file: spec.url, maxBytes: MAX_ADMIN_RESPONSE_BYTES };
    return typeof version === 'string' ? { ...source, liveVersion: version } : source;
  } finally {
    await client.close();
  }
}
