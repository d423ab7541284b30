/**
 * What `aigw dry-run` shows (design §1, issue 5): which route matches and why, every candidate of the
 * attempt plan with its probability of being tried first, and the exact native request each adapter
 * builds — with authentication shown from the SecretRef's masked form (`${OPENAI_API_KEY}`), never its
 * value, and never by scanning rendered text. Pure: the same match, plan and adapters the engine uses,
 * no network, no clock.
 */
import { maskUrlPassword } from '../secrets.js';
import type { AuthSpec, BuildResult, DroppedParam, ProviderAdapter, ProviderType } from '../adapters/contract.js';
import { AigwError } from '../errors.js';
import type { Manifest, Route } from '../manifest/types.js';
import type { ChatCompletionRequest, OpenAIErrorEnvelope } from '../openai/wire.js';
import { explainMatch } from './match-route.js';
import { firstPickProbabilities } from './plan-attempts.js';
import { missingCredential, providerEntry, supportsPrefill, targetContext } from './target-context.js';
import type { Candidate } from './types.js';

export interface ExplainedRequest {
  readonly method: 'POST';
  readonly url: string;
  /** The adapter's headers plus authentication, masked. Sorted by name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent (a string; JSON bodies are pretty-printed by the renderers). */
  readonly body: string;
  readonly stream: false | string;
}

export interface ExplainedCandidate {
  readonly position: number;
  readonly role: Candidate['role'];
  readonly provider: string;
  readonly providerType: ProviderType;
  readonly model: string;
  readonly weight: number;
  /** Probability of being tried first (0 for the fallback and weight-0 targets). */
  readonly firstProbability: number;
  readonly maxLatencyMs?: number;
  /** Whether it can continue a broken stream (design §3.6). */
  readonly prefill: boolean;
  readonly request?: ExplainedRequest;
  readonly dropped: readonly DroppedParam[];
  /** The adapter cannot build the request (the engine would skip it; alone, the client gets this 400). */
  readonly buildError?: { readonly status: number; readonly envelope: OpenAIErrorEnvelope };
  /** A credential the request needs has no value (`${NAME}`): `serve` would skip this target. */
  readonly missingCredential?: string;
}

export type Explanation =
  | { readonly matched: true; readonly route: Route; readonly routeIndex: number; readonly reason: string; readonly candidates: readonly ExplainedCandidate[] }
  | { readonly matched: false; readonly error: AigwError };

export function explainPlan(
  manifest: Manifest,
  request: ChatCompletionRequest,
  getAdapter: (type: ProviderType) => ProviderAdapter,
): Explanation {
  const match = explainMatch(manifest, request.model);
  if (match instanceof AigwError) return { matched: false, error: match };
  const { route } = match;
  const probabilities = firstPickProbabilities(route);
  const candidates: Candidate[] = [
    ...route.targets.map((target) => ({ target, role: 'target' as const })),
    ...(route.fallback === undefined ? [] : [{ target: route.fallback, role: 'fallback' as const }]),
  ];
  const explained = candidates.map((candidate, index): ExplainedCandidate => {
    const { target } = candidate;
    const entry = providerEntry(manifest, target);
    const adapter = getAdapter(entry.type);
    const base = {
      position: index + 1,
      role: candidate.role,
      provider: entry.id,
      providerType: entry.type,
      model: target.model,
      weight: target.weight,
      firstProbability: candidate.role === 'target' ? probabilities[index] ?? 0 : 0,
      ...(target.maxLatencyMs === undefined ? {} : { maxLatencyMs: target.maxLatencyMs }),
      prefill: supportsPrefill(adapter, entry, target),
    };
    let built: BuildResult;
    try {
      built = adapter.buildRequest(request, targetContext(entry, route, target));
    } catch (error) {
      // An adapter that is not built yet (the registry's placeholder) says so instead of crashing the report.
      const envelope = error instanceof AigwError ? error.toEnvelope() : { error: { message: String(error), type: 'server_error', param: null, code: 'internal_error' } };
      return { ...base, dropped: [], buildError: { status: 500, envelope } };
    }
    if (!built.ok) return { ...base, dropped: [], buildError: { status: built.error.status, envelope: built.error.envelope } };
    const missing = missingCredential(built.request.auth);
    return {
      ...base,
      request: {
        method: built.request.method,
        // Defence in depth: lint rejects user:password@ in base_url, but dry-run output must never show one.
        url: maskUrlPassword(built.request.url),
        headers: sortedHeaders({ ...built.request.headers, ...maskedAuthHeaders(built.request.auth) }),
        body: built.request.body,
        stream: built.request.stream === false ? false : built.request.stream.framing,
      },
      dropped: built.dropped,
      ...(missing === undefined ? {} : { missingCredential: missing }),
    };
  });
  return { matched: true, route, routeIndex: match.index, reason: match.reason, candidates: explained };
}

/**
 * The authentication headers the transport will add, with each secret in its masked form. SigV4 and
 * Google tokens are computed at send time, so they are described, not computed.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function maskedAuthHeaders(auth: AuthSpec): Record<string, string> {
  switch (auth.kind) {
    case 'none':
      return {};
    case 'bearer':
      return { authorization: `Bearer ${auth.secret.masked}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.secret.masked };
    case 'sigv4':
      return {
        authorization: `AWS4-HMAC-SHA256 Credential=${auth.accessKeyId.masked}/<date>/${auth.region}/${auth.service}/aws4_request, `
          + `SignedHeaders=…, Signature=<signed with ${auth.secretAccessKey.masked} when sent>`,
        'x-amz-date': '<when sent>',
        ...(auth.sessionToken === undefined ? {} : { 'x-amz-security-token': auth.sessionToken.masked }),
      };
    case 'google-service-account':
      return { authorization: `Bearer <access token minted from ${auth.keyFile.masked}>` };
    default: {
      const never: never = auth;
      return never;
    }
  }
}

function sortedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
}
