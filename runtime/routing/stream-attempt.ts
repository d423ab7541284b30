/**
 * One streaming attempt (design §3.3, §3.6): send, translate the body step by step, and relay chunks to
 * the sink as they come (never buffered to the end). Until the attempt's first content the chunks are
 * held back (a role chunk alone is not an answer) so a failure then is an ordinary failover; the first
 * content meets the latency budget, and for the first attempt that gets there, opens the client's
 * stream. No chunk for `stream_idle_timeout_ms` is a stall. A body that ends without the provider's
 * terminator is finalised by the translator's `end()` when complete, reported as broken otherwise.
 */
import type { StreamStep } from '../adapters/contract.js';
import type { ChatCompletionChunk, Usage } from '../openai/wire.js';
import { failureFromError, MAX_ERROR_BODY_BYTES, readBody, translateError, type AttemptFailed, type AttemptInput, type AttemptResult, type AttemptSuccess } from './attempt-common.js';
import type { AttemptFailure } from './classify-outcome.js';
import { beginContinuation, continuationChunk, filterUsage, noteSent, type RelayState } from './continuation.js';
import { Stop } from './scopes.js';
import { startTimer } from '../timers.js';
import type { Mutable } from '../mutable.js';

export interface StreamAttemptInput extends AttemptInput {
  readonly relay: RelayState;
  readonly includeUsage: boolean;
  readonly idleTimeoutMs: number;
  /** Sends a chunk to the client; a returned promise is awaited (backpressure). */
  readonly write: (chunk: ChatCompletionChunk) => void | Promise<void>;
  /** Opens the client's stream (headers) just before its first content. */
  readonly open: () => void | Promise<void>;
  /** The client is gone (its sink threw): stops the attempt as an abort. */
  readonly gone: () => never;
}

export async function runStreamAttempt(input: StreamAttemptInput): Promise<AttemptResult> {
  const { scope, clock, relay } = input;
  const continuing = relay.started;
  if (continuing) beginContinuation(relay);
  let status = 0;
  let headReceived = false;
  let contentSent = false;
  let firstContentAt: number | undefined;
  let usage: Usage | undefined;
  let rawFinishReason: string | undefined;
  let malformed = 0;
  let model: string | undefined;
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let exhausted = false;

  /** Chunks before the first content (a role chunk alone is not an answer). */
  const held: ChatCompletionChunk[] = [];
  let lastActivity = clock.monotonic();
  let writing = false;
  let cancelIdle: (() => void) | undefined;
  // Methods rather than named arrow functions: this runs for every streamed attempt (see scopes.ts).
  const local = {
    armIdle(ms: number): void {
      cancelIdle = startTimer(clock, ms, () => {
        // Time spent waiting for a slow client is not upstream silence.
        if (writing) return local.armIdle(input.idleTimeoutMs);
        // A remainder under a microsecond is rounding (the timer fired at its deadline), not time left.
        const remaining = input.idleTimeoutMs - (clock.monotonic() - lastActivity);
        if (remaining < 0.001) scope.abort(new Stop('stall', input.idleTimeoutMs));
        else local.armIdle(remaining);
      });
    },
    /** Synchronous unless the sink pushes back: most chunks cost no promise at all. */
    send(chunk: ChatCompletionChunk): Promise<void> | undefined {
      noteSent(chunk, relay);
      model = chunk.model;
      const pending = input.write(chunk);
      if (pending === undefined) return undefined;
      writing = true;
      return pending.then(() => {
        writing = false;
        lastActivity = clock.monotonic();
      });
    },
    /** One translated chunk: held back until the first content, then sent (a promise when the client pushes back). */
    relay(raw: ChatCompletionChunk): Promise<void> | undefined {
      const filtered = filterUsage(raw, input.includeUsage);
      const chunk = filtered === undefined || !continuing ? filtered : continuationChunk(filtered, relay);
      if (chunk === undefined) return undefined;
      if (contentSent) return local.send(chunk);
      held.push(chunk);
      return undefined;
    },
    failed(failure: AttemptFailure): AttemptResult {
      const result: Mutable<AttemptFailed> = {
        // An in-band error event's own status (Anthropic's overloaded 529) says more than the 200 head.
        ok: false, status: failure.kind === 'upstream' ? failure.status : status, failure, afterContent: contentSent, malformed,
      };
      if (usage !== undefined) result.usage = usage;
      if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
      if (firstContentAt !== undefined) result.firstContentAt = firstContentAt;
      return result;
    },
  };

  try {
    const response = await scope.race(input.transport.send(input.request, scope.signal, input.target));
    headReceived = true;
    status = response.status;
    if (status < 200 || status >= 300) {
      const body = await readBody(response, scope, MAX_ERROR_BODY_BYTES);
      const error = translateError(input, response, body ?? '');
      return local.failed({ kind: 'upstream', status, error });
    }
    const translator = input.adapter.createStreamTranslator(input.context);
    iterator = response.body[Symbol.asyncIterator]();
    lastActivity = clock.monotonic();
    local.armIdle(input.idleTimeoutMs);
    // Declared out here and emptied before each wait: a slow stream waits ~100 ms between pieces, and
    // whatever of the last piece a suspended frame still holds (its bytes, step, chunks) lives through
    // that wait and gets promoted to the old generation (issue 8 memory benchmark: 1 000 slow streams
    // peaked ≈ 35 MB higher while the previous piece stayed reachable).
    let next: IteratorResult<Uint8Array> | undefined;
    let step: StreamStep | undefined;
    let chunks: readonly ChatCompletionChunk[] | undefined;
    for (;;) {
      next = undefined;
      step = undefined;
      chunks = undefined;
      let broke: AttemptFailure | undefined;
      try {
        next = await scope.race(iterator.next());
      } catch (error) {
        broke = failureFromError(error, scope, { streaming: true, headReceived, status });
        // After content, a stream that broke (a reset, a stall) is read as an end of body: the
        // provider may have sent its finish reason and only not its closing event (Anthropic's
        // message_stop, Bedrock's metadata frame; Gemini has none), and end() finalises such an
        // answer. An unfinished one stays the broken stream it is, reported as it broke.
        if (!contentSent || broke.kind !== 'stream') return local.failed(broke);
        next = { done: true, value: undefined };
      }
      if (next.done === true) exhausted = true;
      step = next.done === true ? translator.end() : translator.push(next.value);
      if (broke !== undefined && step.error !== undefined) return local.failed(broke);
      // Only what the client would get is activity: keep-alive comments, pings and skipped malformed
      // events are bytes, not an answer, and must not hold a stalled stream open (design §10.2).
      if (step.chunks.length > 0 || step.usage !== undefined || step.done || step.error !== undefined) lastActivity = clock.monotonic();
      malformed += step.malformed ?? 0;
      if (step.usage !== undefined) usage = step.usage;
      if (step.rawFinishReason !== undefined) rawFinishReason = step.rawFinishReason;
      if (step.error !== undefined) {
        if (contentSent) return local.failed({ kind: 'stream', status, detail: `error event: ${step.error.envelope.error.code ?? step.error.envelope.error.type}` });
        // The body ended (200 head, then nothing of an answer): a broken stream, failed over as
        // stream_error, not a 5xx retried on the same target (design §3.4; simulate's cuts agree).
        if (exhausted) return local.failed({ kind: 'stream', status, detail: 'ended before any content' });
        // An in-band error event before any content is the provider's answer, like an HTTP error.
        return local.failed({ kind: 'upstream', status: step.error.status, error: step.error });
      }
      chunks = step.chunks;
      for (let index = 0; index < chunks.length; index += 1) {
        const pending = local.relay(chunks[index] as ChatCompletionChunk);
        if (pending !== undefined) await pending;
      }
      if (!contentSent && (step.firstContent || step.done)) {
        contentSent = true;
        firstContentAt = clock.monotonic();
        scope.firstContent();
        if (!continuing) await input.open();
        while (held.length > 0) {
          const pending = local.send(held.shift() as ChatCompletionChunk);
          if (pending !== undefined) await pending;
        }
      }
      if (step.done) break;
      if (exhausted) {
        // end() neither finalised nor reported the truncation: complete only if the finish went out.
        if (relay.finished) break;
        return local.failed(broke ?? { kind: 'stream', status, detail: 'ended without its terminator' });
      }
    }
    const success: Mutable<AttemptSuccess> = { ok: true, status, malformed, firstContentAt: firstContentAt ?? clock.monotonic() };
    if (model !== undefined) success.model = model;
    if (usage !== undefined) success.usage = usage;
    if (rawFinishReason !== undefined) success.rawFinishReason = rawFinishReason;
    return success;
  } catch (error) {
    return local.failed(failureFromError(error, scope, { streaming: true, headReceived, status }));
  } finally {
    cancelIdle?.();
    // Stop reading: releases the upstream body (and its socket) when we leave early.
    if (iterator !== undefined && !exhausted) void iterator.return?.()?.catch(() => undefined);
  }
}
