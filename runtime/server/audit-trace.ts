/**
 * RequestTrace → AuditInput → record, with the capture policy of the config snapshot the request ran
 * on (so a reload that tightens capture applies from the next request). Redactors compile their
 * patterns once per snapshot.
 */
import type { AuditAttempt, AuditInput, AuditRecord, CaptureSettings } from '../audit/record.js';
import { lineRecord } from '../audit/record-line.js';
import { createRedactor } from '../audit/redact.js';
import { failedOver } from '../routing/counted-outcome.js';
import type { Manifest } from '../manifest/types.js';
import type { AttemptRecord, EngineResult } from '../routing/types.js';
import type { RequestTrace } from './gateway-deps.js';
import type { LiveConfig } from './live-config.js';
import type { Mutable } from '../mutable.js';

export interface RequestFacts {
  readonly requestId: string;
  readonly clientAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The HTTP status the client got (for streams: the result's status). */
  readonly status: number;
  readonly durationMs: number;
}

/** Durations in the record are milliseconds to the microsecond: finer is timer noise. */
export function toMicroseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function traceToAuditInput(trace: Readonly<RequestTrace>, facts: RequestFacts): AuditInput {
  const result = trace.result;
  const usage = result?.usage;
  const lastAnswer = result?.attempts.findLast((attempt) => attempt.outcome === 'success');
  const served = result?.provider === undefined ? streamedWithoutAnswer(result) : undefined;
  const dropped = result?.attempts.flatMap((attempt) => attempt.dropped.map((drop) => drop.param)) ?? [];
  const input: Record<string, unknown> = {
    timestamp: trace.startedAt,
    eventId: trace.eventId,
    requestId: facts.requestId,
    credentialId: trace.credentialId,
    clientAddress: facts.clientAddress,
    userAgent: facts.userAgent,
    method: facts.method,
    path: facts.path,
    route: trace.route,
    requestedModel: trace.requestedModel,
    provider: served?.provider ?? result?.provider,
    providerType: served?.providerType ?? result?.providerType,
    model: served?.model ?? result?.model,
    attempts: (result?.attempts ?? []).map(toAuditAttempt),
    failover: result === undefined ? undefined : failedOver(result.attempts),
    usage: usage === undefined ? undefined : {
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      totalTokens: usage.total_tokens,
      cachedPromptTokens: usage.prompt_tokens_details?.cached_tokens,
    },
    stream: trace.stream,
    status: result?.status ?? facts.status,
    errorCode: result?.error?.code ?? trace.errorCode,
    errorMessage: result?.error?.envelope.error.message ?? trace.errorMessage,
    ttfbMs: result?.timeToFirstByteMs === undefined ? undefined : toMicroseconds(result.timeToFirstByteMs),
    durationMs: toMicroseconds(facts.durationMs),
    promptMessages: trace.request?.messages,
    completionText: trace.stream ? trace.completionText : completionText(trace),
    finishReason: result?.completion?.choices[0]?.finish_reason,
    rawFinishReason: lastAnswer?.rawFinishReason,
    droppedParams: dropped.length > 0 ? dropped : undefined,
    clientAborted: result?.outcome === 'aborted' || trace.clientClosedEarly ? true : undefined,
    manifestVersion: trace.live?.version,
  };
  // Every key is one of AuditInput's; undefined ones are left in place (buildAuditRecord drops them):
  // deleting them turned the object into a slow dictionary on every request (issue 8 profile).
  return input as unknown as AuditInput;
}

/**
 * The attempt whose content last reached the client when the run names no answer: a stream that
 * broke after it began (ended by its in-band error) or whose client left. It served what the client
 * got (and the x-aigw-provider header named the stream's first one), so the record names it. Only a
 * streamed attempt has first content and still fails.
 */
function streamedWithoutAnswer(result: EngineResult | undefined): AttemptRecord | undefined {
  if (result === undefined || !result.stream) return undefined;
  return result.attempts.findLast((attempt) => attempt.firstContentMs !== undefined);
}

function toAuditAttempt(attempt: AttemptRecord): AuditAttempt {
  // Built in one literal (no spreads): this runs for every attempt of every request.
  const audited: Mutable<AuditAttempt> = {
    provider: attempt.provider,
    model: attempt.model,
    outcome: attempt.outcome === 'success' ? 'success' : attempt.outcome === 'skipped' ? 'skipped' : 'failure',
    durationMs: toMicroseconds(attempt.durationMs),
  };
  if (attempt.status !== 0) audited.status = attempt.status;
  if (attempt.reason !== null) audited.reason = attempt.reason;
  return audited;
}

function completionText(trace: Readonly<RequestTrace>): string | undefined {
  const message = trace.result?.completion?.choices[0]?.message;
  if (message === undefined) return undefined;
  // The usual answer: text and no tool calls.
  if (message.tool_calls === undefined || message.tool_calls.length === 0) return message.content ?? '';
  const calls = message.tool_calls.map((call) => `${call.function.name}(${call.function.arguments})`);
  return [message.content ?? '', ...calls].filter((part) => part !== '').join('\n');
}

/** Capture settings and redactor per manifest: made once, gone with the manifest (a reload makes new ones). */
const captureSettings = new WeakMap<Manifest, CaptureSettings>();

/** A manifest's audit capture policy with its compiled redactor (the record's, and the prompt log's). */
export function captureSettingsOf(manifest: Manifest): CaptureSettings {
  let capture = captureSettings.get(manifest);
  if (capture === undefined) {
    const policy = manifest.audit;
    capture = { prompt: policy.prompt, completion: policy.completion, redactor: createRedactor(policy) };
    captureSettings.set(manifest, capture);
  }
  return capture;
}

/**
 * Builds records with the snapshot's capture policy, written straight as their JSON line (see
 * audit/record-line.ts).
 */
export function createAuditRecorder(enqueue: (record: AuditRecord) => void) {
  return (input: AuditInput, live: LiveConfig): void => {
    enqueue(lineRecord(input, captureSettingsOf(live.manifest)));
  };
}
