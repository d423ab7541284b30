/** Shared setup for admin-plane tests: two manifests, keys, a plane on the memory store, signed inject. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AdminKeyRing, SigningKey, VerificationKey } from '../../../runtime/admin/admin-keys.js';
import { verificationKeyOf } from '../../../runtime/admin/admin-keys.js';
import type { AdminLogger } from '../../../runtime/admin/admin-logger.js';
import { buildAdminApp } from '../../../runtime/admin/build-admin-app.js';
import { startConfigPlane, type ConfigPlane, type ConfigPlaneOptions } from '../../../runtime/admin/config-plane.js';
import { signAdminRequest } from '../../../runtime/admin/sign-request.js';
import { realClock, type Clock } from '../../../runtime/clock.js';
import { ERRORS } from '../../../runtime/errors.js';
import { createManualClock, type ManualClock } from '../../helpers/virtual-clock.js';

/** The seed manifest of design §2, verbatim. */
export const MANIFEST_A = readFileSync(new URL('../../manifests/good/001-seed.yaml', import.meta.url), 'utf8');

/** The seed with its shares flipped to 30/70 and a second route. */
export const MANIFEST_B = MANIFEST_A.replace('weight: 60', 'weight: 30').replace('weight: 40', 'weight: 70') +
  '  - name: chat-large\n    match: { model: "gpt-4o" }\n    targets: [ { provider: openai, model: gpt-4o } ]\n';

/** Fails the schema (unknown key) at line 3. */
export const MANIFEST_INVALID = `ai_routes:
  - name: broken
    bogus: true
    match: { model: x }
    targets: [ { provider: openai, model: gpt-4o } ]
`;

export function manifestNumbered(index: number): string {
  return `ai_routes:\n  - name: route-${index}\n    match: { model: "m-${index}" }\n    targets: [ { provider: openai, model: gpt-4o-mini } ]\n`;
}

export function hmacKey(keyId = 'ops-hmac'): SigningKey {
  return { keyId, scheme: 'AIGW-HMAC-SHA256', secret: randomBytes(32) };
}

export function ed25519Key(keyId = 'ops-ed'): SigningKey {
  return { keyId, scheme: 'AIGW-ED25519', privateKey: generateKeyPairSync('ed25519').privateKey };
}

export function keyRing(...keys: readonly SigningKey[]): AdminKeyRing {
  return new Map<string, VerificationKey>(keys.map((key) => [key.keyId, verificationKeyOf(key)]));
}

export interface LogEntry { readonly level: 'info' | 'warn' | 'error'; readonly fields: Readonly<Record<string, unknown>>; readonly message: string }

export function recordingLogger(): AdminLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (fields, message) => { entries.push({ level: 'info', fields, message }); },
    warn: (fields, message) => { entries.push({ level: 'warn', fields, message }); },
    error: (fields, message) => { entries.push({ level: 'error', fields, message }); },
  };
}

export async function startPlane(t: TestContext, options: Partial<ConfigPlaneOptions> & { clock?: Clock } = {}): Promise<ConfigPlane> {
  const result = await startConfigPlane({
    manifest: { text: MANIFEST_A, file: 'routes.yaml' },
    env: {},
    clock: options.clock ?? createManualClock(),
    logger: options.logger ?? recordingLogger(),
    ...options,
  });
  if (!result.ok) throw new Error(`plane did not start: ${result.message}`);
  t.after(() => result.plane.close());
  return result.plane;
}

export interface AdminFixture {
  readonly app: FastifyInstance;
  readonly plane: ConfigPlane;
  readonly clock: ManualClock;
  readonly key: SigningKey;
  /** Signs with `key` (or another) at the clock's time and injects. */
  send(request: SignedRequest): Promise<LightMyRequestResponse>;
}

export interface SignedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly key?: SigningKey;
}

export async function adminFixture(t: TestContext, options: { keys?: readonly SigningKey[]; plane?: Partial<ConfigPlaneOptions> } = {}): Promise<AdminFixture> {
  const clock = createManualClock();
  const keys = options.keys ?? [hmacKey()];
  const [key] = keys;
  if (key === undefined) throw new Error('adminFixture needs a key');
  const plane = await startPlane(t, { clock, ...options.plane });
  const app = await buildAdminApp({ plane, keys: keyRing(...keys), clock, replicaId: 'replica-test' });
  t.after(() => app.close());
  return {
    app, plane, clock, key,
    send: (request) => app.inject({
      method: request.method,
      url: request.url,
      headers: {
        ...(request.body === undefined ? {} : { 'content-type': 'application/yaml' }),
        ...signedHeaders(request, request.key ?? key, clock),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { payload: request.body }),
    }),
  };
}

export function signedHeaders(request: SignedRequest, key: SigningKey, clock: Clock): Record<string, string> {
  const ifMatch = request.headers?.['if-match'];
  return signAdminRequest({ method: request.method, pathAndQuery: request.url, body: request.body ?? '', timestamp: Math.floor(clock.now() / 1000), ...(ifMatch === undefined ? {} : { ifMatch }) }, key);
}

export interface ListeningGateway {
  readonly url: string;
  readonly plane: ConfigPlane;
  readonly app: FastifyInstance;
}

/** An admin app on 127.0.0.1:0 with the real clock (the CLI signs with Date.now()). */
export async function listenGateway(t: TestContext, options: { keys: readonly SigningKey[]; replicaId?: string; plane?: Partial<ConfigPlaneOptions> }): Promise<ListeningGateway> {
  const plane = await startPlane(t, { clock: realClock, ...options.plane });
  const app = await buildAdminApp({ plane, keys: keyRing(...options.keys), clock: realClock, replicaId: options.replicaId ?? 'replica-1' });
  t.after(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, plane, app };
}

/** Writes the key as `aigw keys generate` would (0600) and returns the CLI flags for it. */
export function writeKeyFile(t: TestContext, key: SigningKey): { flags: string[]; file: string; directory: string } {
  const directory = mkdtempSync(join(tmpdir(), 'aigw-key-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, `${key.keyId}.key`);
  const text = key.scheme === 'AIGW-HMAC-SHA256' ? `${key.secret.toString('base64')}\n` : key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(file, text, { mode: 0o600 });
  return { flags: ['--key-id', key.keyId, '--key-file', file], file, directory };
}

/** Asserts the response is the given AIGW_E_* error: its status, and its envelope's type and code. */
export function assertAigwError(response: { statusCode: number; json(): unknown }, code: string): void {
  const definition = Object.values(ERRORS).find((entry) => entry.code === code);
  if (definition === undefined) throw new Error(`${code} is not in runtime/errors.ts`);
  assert.equal(response.statusCode, definition.status, code);
  const body = response.json() as { error?: { code?: string; type?: string } };
  assert.equal(body.error?.code, definition.openaiCode, code);
  assert.equal(body.error?.type, definition.type, code);
}
