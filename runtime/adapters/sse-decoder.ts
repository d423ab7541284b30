/**
 * Incremental Server-Sent Events decoding for stream translators: bytes in (any split, even one byte
 * at a time), whole events out. UTF-8 is decoded in streaming mode because a character can straddle
 * two network chunks; framing is eventsource-parser's job, never a split on provider separators.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  /** The `event:` field, when the provider names its events (Anthropic, Cohere). */
  readonly event: string | undefined;
  readonly data: string;
}

export interface SseDecoder {
  /** Returns the events completed by these bytes, in order. */
  push(bytes: Uint8Array): readonly SseEvent[];
  /** Flushes at end of body; an event missing its blank-line terminator is still returned. */
  end(): readonly SseEvent[];
}

/** Upper bound for one buffered event: protects against an upstream that never ends a line. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export function createSseDecoder(): SseDecoder {
  const decoder = new TextDecoder('utf-8');
  let pending: SseEvent[] = [];
  const parser = createParser({
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent: (message) => {
      pending.push({ event: message.event, data: message.data });
    },
  });
  const drain = (): readonly SseEvent[] => {
    if (pending.length === 0) return EMPTY;
    const out = pending;
    pending = [];
    return out;
  };
  return {
    push(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return drain();
    },
    end() {
      const rest = decoder.decode();
      if (rest.length > 0) parser.feed(rest);
      // A final event without its blank line still counts: dispatch it by ending the stream.
      parser.feed('\n\n');
      return drain();
    },
  };
}

const EMPTY: readonly SseEvent[] = Object.freeze([]);
