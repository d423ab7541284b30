/**
 * What the mock answers one request with, in the order a provider decides it: unknown endpoint, auth,
 * path problems, body and required fields, a rejected prefill (fault), an injected status, and only
 * then the recorded answer for the request's shape.
 */
import type { ProviderType } from '../adapters/contract.js';
import type { FaultSpec } from './faults.js';
import { answerCase, type FixtureIndex } from './fixture-index.js';
import { fixtureWire, type FixtureWire } from './fixture-wire.js';
import type { ErrorAnswer, ErrorOptions } from './provider-errors.js';
import type { Endpoint } from './provider-endpoints.js';
import { checkAuth, checkFields, parseBody, type Rejection, type RequestFacts } from './request-checks.js';
import type { ReceivedRequest } from './sigv4-verify.js';

/** @see https://docs.anthropic.com/en/api/messages (prefill) — other providers get the same sentence. */
const PREFILL_MESSAGE = 'This model does not support assistant message prefill. The conversation must end with a user message.';

export type BuildError = (provider: ProviderType, status: number, message: string | undefined, options?: ErrorOptions) => ErrorAnswer;

export interface AnswerRequest {
  readonly provider: ProviderType;
  readonly endpoint: Endpoint | undefined;
  readonly received: ReceivedRequest;
  readonly query: URLSearchParams;
  readonly parsed: ReturnType<typeof parseBody>;
  readonly facts: RequestFacts | undefined;
  readonly fault: FaultSpec | undefined;
}

export interface Answer {
  readonly wire: FixtureWire;
  /** For the request log: answered, rejected-auth, rejected-invalid, fault, no-fixture. */
  readonly outcome: string;
}

export function errorWire(answer: ErrorAnswer): FixtureWire {
  return { status: answer.status, headers: answer.headers, headersAtMs: 0, body: new TextEncoder().encode(answer.body) };
}

async function findRejection(request: AnswerRequest): Promise<Rejection | undefined> {
  const { provider, endpoint, received, parsed, facts, fault } = request;
  if (endpoint === undefined) {
    return { status: 404, kind: 'invalid', message: `Unknown endpoint ${received.method} ${received.rawUrl.split('?')[0] ?? ''}` };
  }
  return await checkAuth(provider, received, request.query)
    ?? (endpoint.problem === undefined ? undefined : { status: 400, kind: 'invalid', message: endpoint.problem })
    ?? (parsed.ok ? checkFields(provider, endpoint, parsed.body) : parsed.rejection)
    ?? (fault?.rejectPrefill === true && facts?.prefill === true ? { status: 400, kind: 'invalid', message: PREFILL_MESSAGE } : undefined);
}

export async function chooseAnswer(request: AnswerRequest, index: FixtureIndex, buildError: BuildError): Promise<Answer> {
  const { provider, facts, fault } = request;
  const rejection = await findRejection(request);
  if (rejection !== undefined) {
    // An auth rejection uses the recorded error-401 when there is one (the provider's real answer, with
    // its status: Gemini records 401 UNAUTHENTICATED); a field rejection is built from the documented
    // shape, because a recorded 400 describes one specific cause (a content filter, a context length)
    // whose extra fields would misreport a missing field.
    const recorded = rejection.kind === 'auth' && index.error(provider, 401) !== undefined;
    const options = { ...(rejection.awsException === undefined ? {} : { awsException: rejection.awsException }), recorded };
    return { outcome: `rejected-${rejection.kind}`, wire: errorWire(buildError(provider, recorded ? 401 : rejection.status, rejection.message, options)) };
  }
  if (fault?.status !== undefined) {
    const options = fault.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: fault.retryAfterSeconds };
    return { outcome: 'fault', wire: errorWire(buildError(provider, fault.status, undefined, options)) };
  }
  const shape = { stream: facts?.stream ?? false, tools: facts?.tools ?? false };
  const fixture = index.pick(provider, shape);
  if (fixture === undefined) {
    return { outcome: 'no-fixture', wire: errorWire(buildError(provider, 501, `aigw mock has no fixture ${provider}/${answerCase(shape)}`)) };
  }
  return { outcome: 'answered', wire: fixtureWire(fixture, facts?.model ?? fixture.recorded_model ?? '') };
}
