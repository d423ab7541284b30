/**
 * One non-stream attempt (design §3.3): send, read the whole body within the attempt's budget (for a
 * non-stream answer the body *is* the first content), translate.
 */
import type { TranslatedError } from '../adapters/contract.js';
import { failureFromError, malformedAnswer, MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES, readBody, translateError, type AttemptInput, type AttemptResult, type AttemptSuccess } from './attempt-common.js';
import type { Mutable } from '../mutable.js';

export async function runUnaryAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { scope } = input;
  let status = 0;
  let headReceived = false;
  try {
    const response = await scope.race(input.transport.send(input.request, scope.signal, input.target));
    headReceived = true;
    status = response.status;
    if (status < 200 || status >= 300) {
      const errorBody = await readBody(response, scope, MAX_ERROR_BODY_BYTES);
      const error = translateError(input, response, errorBody ?? '');
      return { ok: false, status, failure: { kind: 'upstream', status, error }, afterContent: false, malformed: 0 };
    }
    const body = await readBody(response, scope);
    if (body === undefined) {
      // Another target may answer smaller; the same one would send (and bill) the same answer again.
      const error: TranslatedError = { ...malformedAnswer(`body over ${MAX_BODY_BYTES} bytes`), retry: false };
      return { ok: false, status, failure: { kind: 'upstream', status, error }, afterContent: false, malformed: 0 };
    }
    const firstContentAt = input.clock.monotonic();
    scope.firstContent();
    const parsed = input.adapter.parseResponse(status, response.headers, body, input.context);
    if (!parsed.ok) {
      return { ok: false, status, failure: { kind: 'upstream', status, error: parsed.error }, afterContent: false, malformed: 0 };
    }
    const answered: Mutable<AttemptSuccess> = { ok: true, status, completion: parsed.completion, firstContentAt, malformed: 0 };
    // Assigned, not spread (see Mutable). No usage when the provider reported none: unknown, never 0.
    if (parsed.usage !== undefined) answered.usage = parsed.usage;
    if (parsed.rawFinishReason !== undefined) answered.rawFinishReason = parsed.rawFinishReason;
    return answered;
  } catch (error) {
    return { ok: false, status, failure: failureFromError(error, scope, { streaming: false, headReceived, status }), afterContent: false, malformed: 0 };
  }
}
