/**
 * One audit record per request, as Elastic Common Schema + OpenTelemetry gen_ai fields with an
 * `aigw.*` namespace for what neither covers (docs/audit-fields.md is the full table). The runtime
 * maps its result onto the plain `AuditInput`; this module owns the field names, the capture policy
 * and nothing else (no I/O, no clock).
 * @see https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
 * @see https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
 */
import type { ProviderType } from '../adapters/contract.js';
import type { CapturePolicy } from '../manifest/types.js';
import type { Message } from '../openai/wire.js';
import type { CapturedText, Redactor } from './redact.js';

/** One call (or skip) of a target, in order. */
export interface AuditAttempt {
  readonly provider: string;
  readonly model: string;
  /** Upstream HTTP status; absent when there was no response (connect error, latency, skipped). */
  readonly status?: number;
  /** Failover reason (style §I.2): retryable_5xx, rate_limited, latency, quota_full, … */
  readonly reason?: string;
  readonly outcome: 'success' | 'failure' | 'skipped';
  readonly durationMs: number;
}

export interface AuditUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly cachedPromptTokens?: number;
}

/** What the runtime knows about a finished request (rejected ones too: 401/403/404/429). */
export interface AuditInput {
  /** Request start, epoch milliseconds. */
  readonly timestamp: number;
  /**
   * The gateway's own unique id for this record (`event.id`, the Elasticsearch `_id`). The request id
   * may come from the client (x-request-id is honoured), so two requests can share it; this cannot.
   * Absent: the request id serves (tests, tools that build records themselves).
   */
  readonly eventId?: string;
  readonly requestId: string;
  /** The credential's id, never its key. */
  readonly credentialId?: string;
  readonly clientAddress?: string;
  readonly userAgent?: string;
  readonly method: string;
  readonly path: string;
  readonly route?: string;
  readonly requestedModel?: string;
  /**
   * The provider entry id and model that answered; for a stream that broke or lost its client after
   * content went out, the attempt whose content the client got last. Absent when nothing answered.
   */
  readonly provider?: string;
  readonly providerType?: ProviderType;
  readonly model?: string;
  readonly attempts: readonly AuditAttempt[];
  /**
   * `aigw.failover`: the run moved on to another target after a failure (design §3.5, §3.6). Counted
   * by the engine's records (routing/counted-outcome.ts), as `aigw_failovers_total` counts it; absent
   * is false (a request the engine never ran).
   */
  readonly failover?: boolean;
  readonly usage?: AuditUsage;
  readonly stream: boolean;
  /** Final HTTP status sent to the client (200 for a stream that began, even if it ended in an error event). */
  readonly status: number;
  /** AIGW_E_* code when the request failed (in-band stream errors included). */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly ttfbMs?: number;
  readonly durationMs: number;
  readonly promptMessages?: readonly Message[];
  readonly completionText?: string;
  /** OpenAI finish reason sent to the client, and the provider's raw value behind it. */
  readonly finishReason?: string;
  readonly rawFinishReason?: string;
  /** Parameters dropped under `drop_params: true`. */
  readonly droppedParams?: readonly string[];
  readonly clientAborted?: boolean;
  readonly manifestVersion?: string;
}

/** The capture policy as record building needs it. */
export interface CaptureSettings {
  readonly prompt: CapturePolicy;
  readonly completion: CapturePolicy;
  readonly redactor: Redactor;
}

/** A JSON-ready record; its shape is pinned by schemas/audit-index-template.json. */
export type AuditRecord = Readonly<Record<string, unknown>> & {
  readonly '@timestamp': string;
  readonly http: { readonly request: { readonly id: string } };
};

/** ECS version the field names follow. */
export const ECS_VERSION = '8.11.0';

/**
 * OpenTelemetry `gen_ai.system` well-known values; other providers report their own type.
 * @see https://opentelemetry.io/docs/specs/semconv/attributes-registry/gen-ai/
 */
const GEN_AI_SYSTEM: Partial<Record<ProviderType, string>> = {
  'openai': 'openai',
  'azure-openai': 'az.ai.openai',
  'anthropic': 'anthropic',
  'bedrock': 'aws.bedrock',
  'gemini': 'gcp.gemini',
  'vertex-ai': 'gcp.vertex_ai',
  'mistral': 'mistral_ai',
  'cohere': 'cohere',
  'groq': 'groq',
  'deepseek': 'deepseek',
  'xai': 'xai',
  'perplexity': 'perplexity',
};

/** Builds the record: field names, outcome, and the captured prompt/completion per policy. */
export function buildAuditRecord(input: AuditInput, settings: CaptureSettings): AuditRecord {
  const { prompt, completion } = captureTexts(input, settings);
  const outcome = auditOutcome(input);
  const end = input.timestamp + input.durationMs;
  const genAiSystem = genAiSystemOf(input.providerType);
  // compact() keeps the literal's shape and drops only undefined members, which AuditRecord declares optional.
  return compact({
    '@timestamp': new Date(input.timestamp).toISOString(),
    'ecs': { version: ECS_VERSION },
    'event': {
      id: input.eventId, kind: 'event', category: ['web'], type: ['access'], dataset: 'aigw.audit', action: 'chat-completion', outcome,
      start: new Date(input.timestamp).toISOString(), end: new Date(end).toISOString(),
      // ECS durations are nanoseconds.
      duration: Math.round(input.durationMs * 1_000_000),
    },
    'http': { request: { id: input.requestId, method: input.method }, response: { status_code: input.status } },
    'url': { path: input.path },
    'client': input.clientAddress === undefined ? undefined : { address: input.clientAddress, ip: isIp(input.clientAddress) ? input.clientAddress : undefined },
    'user': input.credentialId === undefined ? undefined : { id: input.credentialId },
    'user_agent': input.userAgent === undefined ? undefined : { original: input.userAgent },
    'transaction': { id: input.requestId },
    'error': input.errorCode === undefined ? undefined : { code: input.errorCode, message: auditErrorMessage(input, settings) },
    'gen_ai': {
      system: genAiSystem,
      operation: { name: 'chat' },
      request: { model: input.requestedModel },
      response: { model: input.model, finish_reasons: input.finishReason === undefined ? undefined : [input.finishReason] },
      usage: input.usage === undefined ? undefined : { input_tokens: input.usage.promptTokens, output_tokens: input.usage.completionTokens },
      prompt: prompt?.text,
      completion: completion?.text,
    },
    'aigw': {
      route: input.route,
      provider: input.provider,
      model: input.model,
      attempts: input.attempts.map((attempt) => ({
        provider: attempt.provider, model: attempt.model, status: attempt.status, reason: attempt.reason,
        outcome: attempt.outcome, duration_ms: attempt.durationMs,
      })),
      attempt_count: input.attempts.filter((attempt) => attempt.outcome !== 'skipped').length,
      failover: input.failover === true,
      stream: input.stream,
      ttfb_ms: input.ttfbMs,
      duration_ms: input.durationMs,
      usage: input.usage === undefined ? undefined : { total_tokens: input.usage.totalTokens, cached_input_tokens: input.usage.cachedPromptTokens },
      finish_reason_raw: input.rawFinishReason,
      dropped_params: input.droppedParams === undefined || input.droppedParams.length === 0 ? undefined : [...input.droppedParams],
      client_aborted: input.clientAborted,
      manifest_version: input.manifestVersion,
      prompt: captureSummary(prompt),
      completion: captureSummary(completion),
    },
  }) as AuditRecord;
}

/** The prompt and completion as the capture policy lets the record carry them (redacted, hashed or cut). */
export function captureTexts(input: AuditInput, settings: CaptureSettings): { prompt: CapturedText | undefined; completion: CapturedText | undefined } {
  return {
    prompt: input.promptMessages === undefined ? undefined : settings.redactor.capture(renderMessages(input.promptMessages), settings.prompt),
    completion: input.completionText === undefined ? undefined : settings.redactor.capture(input.completionText, settings.completion),
  };
}

/**
 * `error.message`, redacted like the prompt: a provider's message may quote the request (vLLM's
 * validation errors echo the offending message whole), and it is written whatever the capture policy.
 */
export function auditErrorMessage(input: AuditInput, settings: CaptureSettings): string | undefined {
  return input.errorMessage === undefined ? undefined : settings.redactor.redact(input.errorMessage);
}

export function auditOutcome(input: AuditInput): 'success' | 'failure' {
  return input.status < 400 && input.errorCode === undefined ? 'success' : 'failure';
}

export function genAiSystemOf(providerType: ProviderType | undefined): string | undefined {
  return providerType === undefined ? undefined : GEN_AI_SYSTEM[providerType] ?? providerType;
}

/**
 * The prompt as one text: `role: content` per message; tool calls as `name(arguments)`; non-text
 * parts as placeholders (their bytes are not audit material).
 */
export function renderMessages(messages: readonly Message[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    const parts: string[] = [];
    const content = message.content;
    if (typeof content === 'string') parts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) parts.push(part.type === 'text' ? part.text : `[${part.type}]`);
    }
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) parts.push(`${call.function.name}(${call.function.arguments})`);
    }
    lines.push(`${message.role}: ${parts.join('\n')}`);
  }
  return lines.join('\n');
}

function captureSummary(captured: CapturedText | undefined): Record<string, unknown> | undefined {
  if (captured === undefined) return undefined;
  return { capture: captured.capture, sha256: captured.sha256, chars: captured.chars, truncated: captured.truncated };
}

export function isIp(address: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(address) || (address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address));
}

/**
 * Drops undefined values and objects left empty, so records carry only what is known. Runs on every
 * request: for…in over the literal above and an early-exit emptiness check, not Object.entries and
 * Object.keys (half the cost of building a record, per the issue 8 benchmark).
 */
function compact(value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key in value) {
    const entry = value[key];
    if (entry === undefined) continue;
    if (entry !== null && typeof entry === 'object') {
      if (Array.isArray(entry)) {
        result[key] = entry.map((item: unknown) => (item !== null && typeof item === 'object' && !Array.isArray(item) ? compact(item as Record<string, unknown>) : item));
      } else {
        const nested = compact(entry as Record<string, unknown>);
        if (hasKeys(nested)) result[key] = nested;
      }
    } else {
      result[key] = entry;
    }
  }
  return result;
}

function hasKeys(value: Record<string, unknown>): boolean {
  for (const _key in value) return true;
  return false;
}
