/**
 * `aigw dry-run --format json`: a stable, versioned document (fields are only ever added within a
 * version). Secrets appear only in their masked form, taken from the SecretRefs by explain-plan.ts.
 */
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import type { AigwError } from '../../runtime/errors.js';
import type { Explanation } from '../../runtime/routing/explain-plan.js';

export const DRY_RUN_JSON_VERSION = 1;

/** A JSON body as a value (readable and diffable); anything else stays a string. */
export function bodyValue(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** `warnings`: the manifest's unresolved `${VAR}`s (--allow-missing-env), present only when there are some. */
export function renderDryRunJson(request: ChatCompletionRequest, explanation: Explanation, warnings: readonly Diagnostic[] = []): string {
  const head = { version: DRY_RUN_JSON_VERSION, request: { model: request.model, stream: request.stream === true }, ...(warnings.length > 0 ? { warnings } : {}) };
  if (!explanation.matched) {
    return `${JSON.stringify({ ...head, route: null, error: explanation.error.toEnvelope().error }, null, 2)}\n`;
  }
  const { route } = explanation;
  const document = {
    ...head,
    route: {
      name: route.name,
      index: explanation.routeIndex,
      reason: explanation.reason,
      timeoutMs: route.timeoutMs,
      failoverOn: route.failoverOn,
      retry: route.retry,
      streamFailover: route.streamFailover,
      streamIdleTimeoutMs: route.streamIdleTimeoutMs,
      dropParams: route.dropParams,
    },
    candidates: explanation.candidates.map((candidate) => ({
      position: candidate.position,
      role: candidate.role,
      provider: candidate.provider,
      providerType: candidate.providerType,
      model: candidate.model,
      weight: candidate.weight,
      firstProbability: candidate.firstProbability,
      maxLatencyMs: candidate.maxLatencyMs ?? null,
      prefill: candidate.prefill,
      request: candidate.request === undefined ? null : { ...candidate.request, body: bodyValue(candidate.request.body) },
      dropped: candidate.dropped,
      buildError: candidate.buildError ?? null,
      missingCredential: candidate.missingCredential ?? null,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** A request serve refuses before routing (its 400): the same document as a request no route matches. */
export function renderDryRunRefusedJson(request: ChatCompletionRequest, error: AigwError): string {
  const head = { version: DRY_RUN_JSON_VERSION, request: { model: request.model, stream: request.stream === true } };
  return `${JSON.stringify({ ...head, route: null, error: error.toEnvelope().error }, null, 2)}\n`;
}
