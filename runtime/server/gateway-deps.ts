/**
 * What the gateway's routes need, built once by `aigw serve` (or a test) and passed down; no module
 * state. `RequestTrace` is the per-request notebook the audit record and metrics are built from.
 */
import { randomUUID } from 'node:crypto';
import type { AuditInput } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { Credential } from '../manifest/types.js';
import type { GatewayMetrics } from '../metrics.js';
import type { ChatCompletionRequest } from '../openai/wire.js';
import type { QuotaLimiter } from '../quota/limiter.js';
import type { Engine } from '../routing/engine.js';
import type { EngineResult } from '../routing/types.js';
import type { HandlerTracker } from './handler-tracker.js';
import type { ConfigHolder, LiveConfig } from './live-config.js';
import type { RequestValidator } from './request-validator.js';

export interface GatewayDeps {
  readonly config: ConfigHolder;
  readonly engine: Engine;
  readonly validateRequest: RequestValidator;
  /** Credential quotas (memory or Redis). */
  readonly quota: QuotaLimiter;
  readonly metrics: GatewayMetrics;
  readonly clock: Clock;
  /** Writes one audit record per request; never blocks, never throws. */
  readonly audit: (input: AuditInput, live: LiveConfig) => void;
  /** Chat handlers still running (shutdown waits for their audit records). */
  readonly handlers?: HandlerTracker;
  /** Aborted when the drain deadline passes: in-flight runs stop and end with a `shutting_down` error. */
  readonly shutdown?: AbortSignal;
  /** AIGW_LOG_PROMPTS: log each request's messages (off by default: prompts belong to the audit policy). */
  readonly logPrompts?: boolean;
  /** Readiness problems beyond the gateway's own (e.g. a config store that never loaded). */
  readonly readinessProblems?: () => readonly string[];
  /**
   * Shown in /readyz but never making it fail: an audit sink that is down spools to disk, so taking
   * every replica out of service because Elasticsearch hiccups would turn an audit delay into an outage.
   */
  readonly readinessDetails?: () => Readonly<Record<string, unknown>>;
}

/** Filled in as a request goes; read once at the end (onResponse) for audit and metrics. */
export interface RequestTrace {
  /** Unique per request, made here: the audit record's event.id and Elasticsearch _id (x-request-id may repeat). */
  eventId: string;
  startedAt: number;
  startedMonotonic: number;
  credentialId: string | undefined;
  requestedModel: string | undefined;
  route: string | undefined;
  stream: boolean;
  streamStarted: boolean;
  request: ChatCompletionRequest | undefined;
  result: EngineResult | undefined;
  completionText: string | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  /** The config the request runs on, taken when its headers arrived: the record names its version and follows its capture policy. */
  live: LiveConfig | undefined;
  /** The chat handler started: from then on it writes the record, whatever happens. */
  entered: boolean;
  /** The credential onRequest authenticated, and the config it checked against (the handler reuses it for that config). */
  credential: Credential | undefined;
  authenticatedAgainst: LiveConfig | undefined;
  /** The chat handler ran (otherwise the request failed in parsing: 400/413). */
  handled: boolean;
  /** The client closed the connection before the handler started (mid-body): status 499. */
  clientClosedEarly: boolean;
  /** The audit record and metrics were written. */
  finished: boolean;
}

export function newTrace(clock: Clock): RequestTrace {
  return {
    eventId: randomUUID(),
    startedAt: clock.now(),
    startedMonotonic: clock.monotonic(),
    credentialId: undefined,
    requestedModel: undefined,
    route: undefined,
    stream: false,
    streamStarted: false,
    request: undefined,
    result: undefined,
    completionText: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    live: undefined,
    entered: false,
    credential: undefined,
    authenticatedAgainst: undefined,
    handled: false,
    clientClosedEarly: false,
    finished: false,
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    aigwTrace: RequestTrace;
  }
}
