/**
 * AuthSpec → request headers, the one place where a provider secret is revealed (envoy's backendauth
 * split: adapters describe authentication, the transport performs it). SigV4 goes through
 * @smithy/signature-v4 (loaded on first use) over the exact body bytes that will be sent; Google service-account tokens are
 * minted and refreshed by google-auth-library, loaded only when a service-account key is first used. A secret without a value is a TransportError with
 * failure 'auth' naming the variable, never a value: the engine fails over (auth_error).
 */
import { createHash } from 'node:crypto';
// Types only: the signer loads on the first SigV4 request (see loadSigner).
import type { SignatureV4 as SignatureV4Class } from '@smithy/signature-v4';
// Type only: the library (about 12 MB of resident memory) loads on the first Vertex service-account mint.
import type { GoogleAuth, JWTInput } from 'google-auth-library';
import type { AuthSpec, NativeRequest } from '../adapters/contract.js';
import { realClock, type Clock } from '../clock.js';
import type { SecretRef } from '../secrets.js';
import { TransportError } from './transport.js';

/** Mints OAuth2 access tokens for a service-account key (file path or the key JSON itself). */
export interface GoogleTokenSource {
  accessToken(keyFile: string): Promise<string>;
}

export interface AuthApplier {
  /**
   * The headers to send: the request's own plus its authentication. `body` must be the exact bytes
   * sent (SigV4 signs them). Rejects with a TransportError (failure 'auth') when a secret is absent or a
   * token cannot be minted.
   */
  headers(request: NativeRequest, url: URL, body: Uint8Array): Promise<Record<string, string>>;
}

export interface AuthApplierOptions {
  /** SigV4 signing time (default: the real clock). */
  readonly clock?: Clock;
  /** Google token minting (default: google-auth-library, tokens cached and refreshed per key). */
  readonly googleTokens?: GoogleTokenSource;
}

/** @see https://cloud.google.com/vertex-ai/docs/authentication */
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

function credentialMissing(secret: SecretRef): TransportError {
  const detail = secret.source.kind === 'env'
    ? `environment variable ${secret.source.name} is unset or empty`
    : 'the inline value is empty';
  return new TransportError(`provider credential ${secret.masked} has no value (${detail})`, {
    failure: 'auth', code: 'AIGW_CREDENTIAL_MISSING', beforeResponse: true,
  });
}

/** The secret's value, or the 'auth' TransportError that names it. */
export function revealSecret(secret: SecretRef): string {
  const value = secret.reveal();
  if (!secret.present || value === undefined) throw credentialMissing(secret);
  return value;
}

export interface SigV4Input {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly region: string;
  readonly service: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly signingDate: Date;
}

/**
 * Signs with AWS SigV4 and returns the signed header set (host, x-amz-date, authorization,
 * x-amz-security-token). The path is passed as sent (already percent-encoded, e.g. `%3A` in a Bedrock
 * model id) and the signer encodes it once more, as AWS's canonical URI requires for non-S3 services.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export async function signSigV4(input: SigV4Input): Promise<Record<string, string>> {
  const { SignatureV4, Hash } = await loadSigner();
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: input.accessKeyId,
      secretAccessKey: input.secretAccessKey,
      ...(input.sessionToken === undefined ? {} : { sessionToken: input.sessionToken }),
    },
    region: input.region,
    service: input.service,
    sha256: Hash.bind(null, 'sha256'),
    // x-amz-content-sha256 is an S3 header; Bedrock clients do not send it.
    applyChecksum: false,
  });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of input.url.searchParams) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signed = await signer.sign({
    method: input.method,
    protocol: input.url.protocol,
    hostname: input.url.hostname,
    ...(input.url.port === '' ? {} : { port: Number(input.url.port) }),
    path: input.url.pathname,
    query,
    // An explicit host header wins: a verifier must sign the Host as received (`host:80` included),
    // which URL parsing would normalise away.
    headers: { host: input.url.host, ...input.headers },
    body: input.body,
  }, { signingDate: input.signingDate });
  return { ...signed.headers };
}

let signerModules: Promise<{ SignatureV4: typeof SignatureV4Class; Hash: typeof import('@smithy/hash-node').Hash }> | undefined;

/**
 * @smithy/signature-v4 and its hash, loaded on the first SigV4 request: with the Bedrock stream codec
 * they are about 2.5 MB of resident memory that gateways without Bedrock would carry for nothing.
 */
function loadSigner(): NonNullable<typeof signerModules> {
  signerModules ??= Promise.all([import('@smithy/signature-v4'), import('@smithy/hash-node')])
    .then(([signature, hash]) => ({ SignatureV4: signature.SignatureV4, Hash: hash.Hash }));
  return signerModules;
}

/** google-auth-library clients, one per key (by the key's hash), each caching and refreshing its token. */
export function googleAuthTokenSource(clientOptions: ConstructorParameters<typeof GoogleAuth>[0] = {}): GoogleTokenSource {
  const clients = new Map<string, GoogleAuth>();
  return {
    async accessToken(keyFile) {
      const cacheKey = createHash('sha256').update(keyFile).digest('hex');
      let auth = clients.get(cacheKey);
      if (auth === undefined) {
        const trimmed = keyFile.trimStart();
        // The secret holds the key JSON itself (e.g. from a Kubernetes secret) or a path to the key file.
        // google-auth-library validates the key's fields itself (a bad key fails the mint below).
        const source = trimmed.startsWith('{') ? { credentials: JSON.parse(trimmed) as JWTInput } : { keyFile };
        const { GoogleAuth: Auth } = await import('google-auth-library');
        auth = new Auth({ ...clientOptions, ...source, scopes: [CLOUD_PLATFORM_SCOPE] });
        clients.set(cacheKey, auth);
      }
      const token = await auth.getAccessToken();
      if (typeof token !== 'string' || token === '') throw new Error('google-auth-library returned no access token');
      return token;
    },
  };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const record = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
    if (typeof record.code === 'string' || typeof record.code === 'number') return String(record.code);
    if (typeof record.response?.status === 'number') return `HTTP ${record.response.status}`;
    if (error instanceof SyntaxError) return 'invalid key JSON';
  }
  return 'unknown error';
}

export function createAuthApplier(options: AuthApplierOptions = {}): AuthApplier {
  const clock = options.clock ?? realClock;
  let googleTokens = options.googleTokens;

  const authHeaders = async (auth: AuthSpec, request: NativeRequest, url: URL, body: Uint8Array): Promise<Record<string, string>> => {
    switch (auth.kind) {
      case 'none':
        return {};
      case 'bearer':
        return { authorization: `Bearer ${revealSecret(auth.secret)}` };
      case 'header':
        return { [auth.name.toLowerCase()]: revealSecret(auth.secret) };
      case 'sigv4': {
        const sessionToken = auth.sessionToken?.present === true ? revealSecret(auth.sessionToken) : undefined;
        return signSigV4({
          method: request.method,
          url,
          headers: request.headers,
          body,
          region: auth.region,
          service: auth.service,
          accessKeyId: revealSecret(auth.accessKeyId),
          secretAccessKey: revealSecret(auth.secretAccessKey),
          ...(sessionToken === undefined ? {} : { sessionToken }),
          signingDate: new Date(clock.now()),
        });
      }
      case 'google-service-account': {
        const keyFile = revealSecret(auth.keyFile);
        googleTokens ??= googleAuthTokenSource();
        try {
          return { authorization: `Bearer ${await googleTokens.accessToken(keyFile)}` };
        } catch (error) {
          // The library's error (message, request config) may quote the key or its signed assertion, so it
          // is neither quoted nor kept as `cause`: the message names only the variable and the code.
          throw new TransportError(`cannot mint a Google access token from ${auth.keyFile.masked}: ${errorCode(error)}`, {
            failure: 'auth', code: 'AIGW_TOKEN_MINT_FAILED', beforeResponse: true,
          });
        }
      }
      default: {
        const unknown: never = auth;
        throw new Error(`unknown auth kind ${JSON.stringify(unknown)}`);
      }
    }
  };

  return {
    async headers(request, url, body) {
      // Uncompressed answers only: the transport does not decompress, and without the header a provider
      // or a proxy in front of it may compress (RFC 9110 §12.5.3: no Accept-Encoding accepts any coding).
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      Object.assign(headers, await authHeaders(request.auth, request, url, body));
      return headers;
    },
  };
}
