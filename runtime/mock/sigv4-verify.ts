/**
 * Real SigV4 verification for the mock's Bedrock endpoints: the signature is recomputed with the mock's
 * test credentials over the request exactly as received (raw path, signed headers, body bytes) and
 * compared in constant time. A client that signs the wrong path encoding, region-less scope or body
 * fails here as it would at AWS. The signing time is not checked against the clock (fixtures and tests
 * run on injected clocks).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { signSigV4 } from '../transport/apply-auth.js';

/** The only AWS credentials the mock accepts (documented in the README and `aigw mock --help`). */
export const MOCK_AWS_CREDENTIALS = Object.freeze({ accessKeyId: 'AKIDMOCK', secretAccessKey: 'mock-secret' });

export type SigV4Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly exception: string; readonly message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface ReceivedRequest {
  readonly method: string;
  /** Path and query exactly as on the request line. */
  readonly rawUrl: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function invalid(message: string): SigV4Verdict {
  return { ok: false, exception: 'InvalidSignatureException', message };
}

export async function verifySigV4(request: ReceivedRequest, expectedService = 'bedrock'): Promise<SigV4Verdict> {
  const authorization = header(request, 'authorization') ?? '';
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    return { ok: false, exception: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  }
  const [, accessKeyId, day, region, service, signedList, signature] = match;
  if (accessKeyId !== MOCK_AWS_CREDENTIALS.accessKeyId) {
    return { ok: false, exception: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  if (service !== expectedService) return invalid(`Credential should be scoped to correct service: '${expectedService}'.`);
  const amzDate = header(request, 'x-amz-date') ?? '';
  const date = AMZ_DATE.exec(amzDate);
  if (date === null || !amzDate.startsWith(day ?? '')) return invalid('The request must carry an X-Amz-Date header matching the credential scope date.');
  const signedHeaders = (signedList ?? '').split(';');
  if (!signedHeaders.includes('host')) return invalid("'Host' must be a signed header.");
  const host = header(request, 'host') ?? '';
  const headers: Record<string, string> = { host };
  for (const name of signedHeaders) {
    if (name === 'host' || name === 'x-amz-date' || name === 'x-amz-security-token') continue;
    const value = header(request, name);
    if (value === undefined) return invalid(`Signed header ${name} is missing from the request.`);
    headers[name] = value;
  }
  // A signer that sends the payload's hash signs that header, not the body: a body changed after
  // signing still matches unless the hash is checked against the bytes received, as AWS does.
  const declaredHash = header(request, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
    return invalid('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  const sessionToken = signedHeaders.includes('x-amz-security-token') ? header(request, 'x-amz-security-token') : undefined;
  const recomputed = await signSigV4({
    method: request.method,
    url: new URL(`http://${host}${request.rawUrl}`),
    headers,
    body: request.body,
    region: region ?? '',
    service: expectedService,
    ...MOCK_AWS_CREDENTIALS,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    signingDate: new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]))),
  });
  const expected = /Signature=([0-9a-f]{64})$/.exec(recomputed['authorization'] ?? '')?.[1] ?? '';
  const expectedSigned = /SignedHeaders=([^,]+),/.exec(recomputed['authorization'] ?? '')?.[1] ?? '';
  const same = expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(signature ?? ''));
  if (!same || expectedSigned !== signedList) {
    return invalid('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
  }
  return { ok: true };
}
