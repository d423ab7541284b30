import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, verify } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { NativeRequest } from '../../../runtime/adapters/contract.js';
import { envSecret, literalSecret } from '../../../runtime/secrets.js';
import { createAuthApplier, googleAuthTokenSource, signSigV4 } from '../../../runtime/transport/apply-auth.js';
import { TransportError } from '../../../runtime/transport/transport.js';

const fixedClock = { now: () => Date.parse('2026-01-01T00:00:00Z'), monotonic: () => 0, sleep: async () => undefined };
const encoder = new TextEncoder();

function request(auth: NativeRequest['auth'], url = 'https://api.example.com/v1/chat', body = '{"a":1}'): NativeRequest {
  return { method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body, auth, stream: false };
}

async function headersFor(auth: NativeRequest['auth'], url?: string, body?: string): Promise<Record<string, string>> {
  const native = request(auth, url, body);
  return createAuthApplier({ clock: fixedClock }).headers(native, new URL(native.url), encoder.encode(native.body));
}

test('bearer, header and none auth add exactly their header to the request headers (names lower-cased), and ask for an uncompressed answer', async () => {
  const identity = { 'accept-encoding': 'identity' };
  assert.deepEqual(await headersFor({ kind: 'bearer', secret: literalSecret('sk-1') }), { ...identity, 'content-type': 'application/json', authorization: 'Bearer sk-1' });
  assert.deepEqual(await headersFor({ kind: 'header', name: 'X-Api-Key', secret: envSecret('K', 'v') }), { ...identity, 'content-type': 'application/json', 'x-api-key': 'v' });
  assert.deepEqual(await headersFor({ kind: 'none' }), { ...identity, 'content-type': 'application/json' });
});

test('a missing secret is an auth TransportError naming the variable and never a value', async () => {
  for (const auth of [
    { kind: 'bearer', secret: envSecret('OPENAI_API_KEY', undefined) },
    { kind: 'header', name: 'api-key', secret: envSecret('OPENAI_API_KEY', '') },
    { kind: 'sigv4', service: 'bedrock', region: 'us-east-1', accessKeyId: literalSecret('AKID'), secretAccessKey: envSecret('OPENAI_API_KEY', undefined) },
    { kind: 'google-service-account', keyFile: envSecret('OPENAI_API_KEY', undefined) },
  ] as const) {
    await assert.rejects(headersFor(auth), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.failure, 'auth');
      assert.equal(error.code, 'AIGW_CREDENTIAL_MISSING');
      assert.match(error.message, /OPENAI_API_KEY/);
      assert.doesNotMatch(error.message, /AKID/);
      return true;
    });
  }
});

// AWS Signature Version 4 test suite (aws-sig-v4-test-suite: get-vanilla, post-vanilla).
const AWS_EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
for (const vector of [
  { method: 'GET', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { method: 'POST', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
]) {
  test(`SigV4 reproduces the AWS test-suite vector ${vector.method.toLowerCase()}-vanilla`, async () => {
    const headers = await signSigV4({
      method: vector.method, url: new URL('https://example.amazonaws.com/'), headers: {}, body: new Uint8Array(),
      region: 'us-east-1', service: 'service', ...AWS_EXAMPLE, signingDate: new Date('2015-08-30T12:36:00Z'),
    });
    assert.equal(headers['x-amz-date'], '20150830T123600Z');
    assert.equal(headers['authorization'],
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${vector.signature}`);
  });
}

/** An independent SigV4 computation (node:crypto only), for checking what the library signed. */
function expectedSignature(options: { method: string; canonicalUri: string; headers: Record<string, string>; signedHeaders: string[]; body: string; secret: string; date: string; scope: string }): string {
  const sha256 = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');
  const canonical = [
    options.method, options.canonicalUri, '',
    ...options.signedHeaders.map((name) => `${name}:${options.headers[name]?.trim() ?? ''}`), '',
    options.signedHeaders.join(';'), sha256(options.body),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', options.headers['x-amz-date'], options.scope, sha256(canonical)].join('\n');
  const [day, region, service] = options.scope.split('/');
  let key: Buffer = createHmac('sha256', `AWS4${options.secret}`).update(day ?? '').digest();
  for (const part of [region ?? '', service ?? '', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

test('Bedrock SigV4 signs the exact body at the injected time, service bedrock, double-encoding the model id in the path', async () => {
  const url = 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse';
  const body = '{"messages":[{"role":"user","content":[{"text":"héllo"}]}]}';
  const headers = await headersFor({
    kind: 'sigv4', service: 'bedrock', region: 'eu-west-1',
    accessKeyId: literalSecret('AKIDMOCK'), secretAccessKey: literalSecret('mock-secret'), sessionToken: literalSecret('session-1'),
  }, url, body);
  assert.equal(headers['x-amz-date'], '20260101T000000Z');
  assert.equal(headers['x-amz-security-token'], 'session-1');
  assert.equal(headers['host'], 'bedrock-runtime.eu-west-1.amazonaws.com');
  const match = /^AWS4-HMAC-SHA256 Credential=AKIDMOCK\/(20260101\/eu-west-1\/bedrock\/aws4_request), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(headers['authorization'] ?? '');
  assert.ok(match, headers['authorization']);
  const signedHeaders = (match[2] ?? '').split(';');
  assert.deepEqual(signedHeaders, ['content-type', 'host', 'x-amz-date', 'x-amz-security-token']);
  const expected = expectedSignature({
    method: 'POST', canonicalUri: '/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse', headers, signedHeaders,
    body, secret: 'mock-secret', date: '20260101', scope: match[1] ?? '',
  });
  assert.equal(match[3], expected);
});

test('a Google service-account key mints a signed JWT-bearer token, caches it and refreshes it when it expires', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const assertions: { iss: string; scope: string }[] = [];
  let minted = 0;
  const server = createServer((incoming, response) => {
    const parts: Buffer[] = [];
    incoming.on('data', (part: Buffer) => parts.push(part));
    incoming.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(parts).toString());
      const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
      const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature ?? '', 'base64url'));
      if (!valid || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        response.writeHead(400).end('{"error":"invalid_grant"}');
        return;
      }
      assertions.push(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { iss: string; scope: string });
      minted += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      // The first token is about to expire, so the next call must refresh it.
      response.end(JSON.stringify({ access_token: `token-${minted}`, token_type: 'Bearer', expires_in: minted === 1 ? 1 : 3600 }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  const key = JSON.stringify({
    type: 'service_account', project_id: 'p', private_key_id: 'k1', client_email: 'svc@p.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_id: '1', token_uri: tokenUrl,
  });
  const tokens = googleAuthTokenSource({ clientOptions: { transporterOptions: { fetchImplementation: (_url: unknown, init?: RequestInit) => fetch(tokenUrl, init) } } });
  const applier = createAuthApplier({ googleTokens: tokens });
  const native = request({ kind: 'google-service-account', keyFile: envSecret('VERTEX_SERVICE_ACCOUNT', key) });
  const send = () => applier.headers(native, new URL(native.url), encoder.encode(native.body));
  assert.equal((await send())['authorization'], 'Bearer token-1');
  assert.equal((await send())['authorization'], 'Bearer token-2', 'an expiring token is refreshed');
  assert.equal((await send())['authorization'], 'Bearer token-2', 'a fresh token is reused');
  assert.equal(minted, 2);
  assert.equal(assertions[0]?.iss, 'svc@p.iam.gserviceaccount.com');
  assert.equal(assertions[0]?.scope, 'https://www.googleapis.com/auth/cloud-platform');
});

test('a key that cannot mint a token is an auth failure that names the variable and quotes nothing of the key', async () => {
  const native = request({ kind: 'google-service-account', keyFile: envSecret('VERTEX_SERVICE_ACCOUNT', '{"type":"service_account","private_key":"not-a-key"') });
  await assert.rejects(createAuthApplier().headers(native, new URL(native.url), encoder.encode(native.body)), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.failure, 'auth');
    assert.equal(error.code, 'AIGW_TOKEN_MINT_FAILED');
    assert.match(error.message, /\$\{VERTEX_SERVICE_ACCOUNT\}/);
    assert.doesNotMatch(error.message, /not-a-key/);
    assert.equal(error.cause, undefined);
    return true;
  });
});
