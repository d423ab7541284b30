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
  return new EventSourceDecoder();
}

/** A class: one is held for every open stream (issue 8 memory). */
class EventSourceDecoder implements SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private pending: SseEvent[] = [];
  private readonly parser = createParser({
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent: (message) => {
      this.pending.push({ event: message.event, data: message.data });
    },
  });

  push(bytes: Uint8Array): readonly SseEvent[] {
    this.parser.feed(this.decoder.decode(bytes, { stream: true }));
    return this.drain();
  }

  end(): readonly SseEvent[] {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.parser.feed(rest);
    // A final event without its blank line still counts: dispatch it by ending the stream.
    this.parser.feed('\n\n');
    return this.drain();
  }

  private drain(): readonly SseEvent[] {
    if (this.pending.length === 0) return EMPTY;
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

const EMPTY: readonly SseEvent[] = Object.freeze([]);
