/**
 * The admin plane (design §6, issue 7 item 1): a Fastify instance of its own, on its own port
 * (AIGW_ADMIN_PORT, default 127.0.0.1:8081), built here and listened on by `serve` (style §E).
 *
 *   GET  /admin/config                    live manifest (un-interpolated, secrets masked) + version
 *   POST /admin/reload[?dry_run=true]     body: manifest YAML/JSON; If-Match: <version>
 *   POST /admin/rollback                  body: {"to"?: "<version or prefix>"}; If-Match: <version>
 *   GET  /admin/status                    version, load time, uptime, replica id, store, last reload
 *
 * Every request — GETs too — must carry a valid signature (verify-signature.ts); the check runs in a
 * preHandler, before any route, so a rejected request changes nothing. With no admin keys this
 * function throws: the admin plane never runs unauthenticated (serve then leaves the port closed and
 * says so in its log).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Clock } from '../clock.js';
import { AigwError, ERRORS, type ErrorDefinition } from '../errors.js';
import { registerErrorHandling, sendError } from '../server/plugins/error-handler.js';
import { AdminKeysError, type AdminKeyRing } from './admin-keys.js';
import type { ApplyOutcome } from './apply-manifest.js';
import type { ConfigPlane } from './config-plane.js';
import { maskDocument } from './mask-document.js';
import { createMemoryNonceCache, type NonceCache } from './nonce-cache.js';
import { toValidationDocument } from './validation-document.js';
import { SOURCE_NAME_HEADER } from './signature-format.js';
import { claimAdminNonce, verifyAdminBody, verifyAdminHeaders, type VerifiedHeaders } from './verify-signature.js';
import { REQUEST_TIMEOUT_CHECK_MS } from '../server/build-app.js';
import { discardUnreadBody } from '../server/discard-unread-body.js';
import { NO_ROUTE_SCHEMAS } from '../server/no-route-schemas.js';

export interface AdminAppOptions {
  /** The replica's config side (startConfigPlane): holder, applier, store. */
  readonly plane: Pick<ConfigPlane, 'applier' | 'startedAt'>;
  /** Verification keys (parseAdminKeys); empty → AdminKeysError. */
  readonly keys: AdminKeyRing;
  readonly clock: Clock;
  /** Shown by status (serve: AIGW_REPLICA_ID or hostname-pid). */
  readonly replicaId: string;
  /** pino logger (serve's), or nothing for silence. */
  readonly logger?: FastifyBaseLogger;
  /** Replay window; default: the store's (Redis-backed when the store is). */
  readonly nonces?: NonceCache;
  /** Body limit in bytes (default 2 MiB; the loader's own limit of 1 MiB gives a diagnostic below it). */
  readonly bodyLimit?: number;
}

const DEFAULT_SOURCE_NAME = '<admin:reload>';
/** Admin requests are small and sent by a CLI: 30 s to arrive whole is plenty. */
const ADMIN_REQUEST_TIMEOUT_MS = 30_000;

export async function buildAdminApp(options: AdminAppOptions): Promise<FastifyInstance> {
  if (options.keys.size === 0) {
    throw new AdminKeysError('the admin plane refuses to start without keys: set AIGW_ADMIN_KEYS or AIGW_ADMIN_KEYS_FILE (aigw keys generate makes one)');
  }
  const { applier, startedAt } = options.plane;
  const { clock, keys } = options;
  const nonces = options.nonces ?? applier.store.nonces;
  const readOnlyFallback = createMemoryNonceCache(clock);
  const bodyLimit = options.bodyLimit ?? 2 * 1024 * 1024;
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit,
    return503OnClosing: true,
    schemaController: NO_ROUTE_SCHEMAS,
    // A request that stops arriving cannot hold its socket (and what it sent) for ever.
    requestTimeout: ADMIN_REQUEST_TIMEOUT_MS,
    http: { headersTimeout: ADMIN_REQUEST_TIMEOUT_MS, connectionsCheckingInterval: REQUEST_TIMEOUT_CHECK_MS },
  });
  // The signature covers the exact body bytes, so no parser may touch them first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  registerErrorHandling(app);

  // The signature and the nonce are checked from the headers first: a request nobody signed, or one
  // replayed, is refused before its body, which is then read past and thrown away (bounded), never
  // buffered. The body is compared with the signed hash once it has arrived.
  const verifiedHeaders = new WeakMap<FastifyRequest, VerifiedHeaders>();
  const rejected = (request: FastifyRequest, error: unknown): void => {
    if (error instanceof AigwError) request.log.warn({ code: error.code, method: request.method, url: request.url }, 'admin request rejected');
  };
  app.addHook('onRequest', async (request, reply) => {
    try {
      const verified = verifyAdminHeaders({ method: request.method, url: request.url, headers: request.headers }, { keys, clock });
      await claimAdminNonce(request.method, verified, { keys, nonces, clock, readOnlyFallback });
      verifiedHeaders.set(request, verified);
    } catch (error) {
      rejected(request, error);
      discardUnreadBody(request.raw, reply.raw, { maxBytes: bodyLimit, maxMs: 10_000 });
      throw error;
    }
  });

  app.addHook('preHandler', async (request) => {
    const verified = verifiedHeaders.get(request);
    if (verified === undefined) throw new AigwError(ERRORS.SIGNATURE_MISSING, 'The request was not verified.');
    try {
      verifyAdminBody(verified, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
      request.log.info({ keyId: verified.keyId, method: request.method, url: request.url }, 'admin request accepted');
    } catch (error) {
      rejected(request, error);
      throw error;
    }
  });

  app.get('/admin/config', async (request, reply) => {
    queryOf(request.query, []);
    const live = applier.holder.current();
    return reply.header('etag', `"${live.version}"`).send({
      version: live.version,
      loadedAt: new Date(live.loadedAt).toISOString(),
      manifest: maskDocument(live.document),
    });
  });

  app.post('/admin/reload', async (request, reply) => {
    const dryRun = parseBoolean(queryOf(request.query, ['dry_run'])['dry_run'], 'dry_run');
    const outcome = await applier.apply({
      text: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      file: sourceName(request.headers[SOURCE_NAME_HEADER]),
      origin: 'reload',
      dryRun,
      ...ifMatchOf(request.headers['if-match']),
    });
    return sendOutcome(reply, outcome, options.replicaId);
  });

  app.post('/admin/rollback', async (request, reply) => {
    queryOf(request.query, []);
    const to = parseRollbackBody(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    const outcome = await applier.rollback({ ...(to === undefined ? {} : { to }), ...ifMatchOf(request.headers['if-match']) });
    return sendOutcome(reply, outcome, options.replicaId);
  });

  app.get('/admin/status', async (request) => {
    queryOf(request.query, []);
    const live = applier.holder.current();
    const last = applier.lastReload();
    let history: { version: string; storedAt: string }[] | null = null;
    let storeError: string | undefined;
    try {
      history = (await applier.store.history()).map((entry) => ({ version: entry.version, storedAt: new Date(entry.storedAt).toISOString() }));
    } catch (error) {
      storeError = error instanceof Error ? error.message : String(error);
    }
    return {
      replicaId: options.replicaId,
      version: live.version,
      loadedAt: new Date(live.loadedAt).toISOString(),
      startedAt: new Date(startedAt).toISOString(),
      uptimeSeconds: Math.max(0, Math.floor((clock.now() - startedAt) / 1000)),
      store: applier.store.kind,
      routes: live.manifest.routes.length,
      lastReload: last === undefined ? null : { ...last, at: new Date(last.at).toISOString() },
      history,
      ...(storeError === undefined ? {} : { storeError }),
    };
  });

  return app;
}

function sendOutcome(reply: FastifyReply, outcome: ApplyOutcome, replicaId: string): FastifyReply {
  switch (outcome.type) {
    case 'invalid': {
      const count = outcome.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
      const error = new AigwError(ERRORS.MANIFEST_INVALID, `The manifest is invalid (${count} ${count === 1 ? 'error' : 'errors'}); nothing changed. See "validation" (the same document as aigw validate --format json).`);
      return reply.code(error.status).send({ ...error.toEnvelope(), validation: toValidationDocument(outcome) });
    }
    case 'conflict': {
      const message = outcome.storedVersion === undefined
        ? `If-Match ${outcome.expected} does not match the live version ${outcome.liveVersion}; nothing changed. Diff again and retry.`
        : `The shared store holds version ${outcome.storedVersion} (another replica accepted a change); nothing changed. Diff again and retry.`;
      const error = new AigwError(ERRORS.VERSION_CONFLICT, message);
      return reply.code(error.status).send({ ...error.toEnvelope(), liveVersion: outcome.liveVersion, ...(outcome.storedVersion === undefined ? {} : { storedVersion: outcome.storedVersion }) });
    }
    case 'dry-run':
      return reply.send({ dryRun: true, replicaId, liveVersion: outcome.liveVersion, version: outcome.version, changeSet: outcome.changeSet, warnings: outcome.warnings });
    case 'applied':
      return reply.header('etag', `"${outcome.version}"`).send({
        dryRun: false, replicaId, previousVersion: outcome.previousVersion, version: outcome.version,
        unchanged: outcome.unchanged, changeSet: outcome.changeSet, warnings: outcome.warnings,
      });
    default: {
      const never: never = outcome;
      return sendError(reply, new AigwError(ERRORS.INTERNAL, `unexpected outcome ${String(never)}`));
    }
  }
}

function invalid(definition: ErrorDefinition, message: string, param: string): AigwError {
  return new AigwError(definition, message, { param });
}

/**
 * The query, refused (400) when it names a parameter the route does not take: ignored, a typo such as
 * `?dry-run=true` or `?dry_run=true` on rollback would swap the config the caller meant only to check.
 */
function queryOf(query: unknown, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  // No route schema types the query: each value read is narrowed (parseBoolean), never trusted.
  const values = (typeof query === 'object' && query !== null ? query : {}) as Readonly<Record<string, unknown>>;
  const stray = Object.keys(values).find((name) => !allowed.includes(name))?.slice(0, 40);
  if (stray !== undefined) {
    const takes = allowed.length === 0 ? 'takes no query parameters' : `takes only ${allowed.join(', ')}`;
    throw invalid(ERRORS.INVALID_REQUEST, `Unknown query parameter "${stray}": this endpoint ${takes}.`, stray);
  }
  return values;
}

function parseBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === 'true' || value === '1' || value === '') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(ERRORS.INVALID_REQUEST, `${name} must be true or false.`, name);
}

/** `If-Match: "<version>"` (an ETag, as GET /admin/config sends it) or the bare version. */
function ifMatchOf(header: string | string[] | undefined): { ifMatch?: string } {
  if (header === undefined) return {};
  if (typeof header !== 'string') throw invalid(ERRORS.INVALID_REQUEST, 'If-Match is repeated.', 'if-match');
  const version = header.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (!/^[0-9a-f]{64}$/.test(version)) throw invalid(ERRORS.INVALID_REQUEST, 'If-Match must be a manifest version (64 hex digits).', 'if-match');
  return { ifMatch: version };
}

function parseRollbackBody(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AigwError(ERRORS.INVALID_JSON, 'The rollback body must be JSON: {"to": "<version>"} or {}.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(ERRORS.INVALID_REQUEST, 'The rollback body must be a JSON object.', 'body');
  const to = 'to' in parsed ? parsed.to : undefined;
  if (to === undefined || to === null) return undefined;
  if (typeof to !== 'string' || !/^[0-9a-fA-F]{1,64}$/.test(to)) throw invalid(ERRORS.INVALID_REQUEST, '"to" must be a version (hex digits).', 'to');
  return to;
}

function sourceName(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\x20-\x7e]{1,200}$/.test(header) ? header : DEFAULT_SOURCE_NAME;
}
