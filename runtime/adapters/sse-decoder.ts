/**
 * Incremental Server-Sent Events decoding for stream translators: bytes in (any split, even one byte
 * at a time), whole events out. UTF-8 is decoded in streaming mode because a character can straddle
 * two network chunks; framing is eventsource-parser's job, never a split on provider separators.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
import { createParser } from 'eventsource-parser';
import { MAX_STREAM_UNIT_BYTES, OversizeUnitError } from './oversize-unit.js';

export interface SseEvent {
  /** The `event:` field, when the provider names its events (Anthropic, Cohere). */
  readonly event: string | undefined;
  readonly data: string;
}

export interface SseDecoder {
  /** Returns the events completed by these bytes, in order. Throws OversizeUnitError past the bound. */
  push(bytes: Uint8Array): readonly SseEvent[];
  /** Flushes at end of body; an event missing its blank-line terminator is still returned. */
  end(): readonly SseEvent[];
}

export function createSseDecoder(): SseDecoder {
  return new EventSourceDecoder();
}

/** A class: one is held for every open stream (issue 8 memory). */
class EventSourceDecoder implements SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private pending: SseEvent[] = [];
  private overflowed = false;
  private readonly parser = createParser({
    maxBufferSize: MAX_STREAM_UNIT_BYTES,
    onEvent: (message) => {
      this.pending.push({ event: message.event, data: message.data });
    },
    // The parser stops for good past its buffer bound (and throws on the next feed); other parse
    // errors (a bad `retry:` field) are not ours to act on.
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') this.overflowed = true;
    },
  });

  push(bytes: Uint8Array): readonly SseEvent[] {
    this.feed(this.decoder.decode(bytes, { stream: true }));
    return this.drain();
  }

  end(): readonly SseEvent[] {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.feed(rest);
    // A final event without its blank line still counts: dispatch it by ending the stream.
    this.feed('\n\n');
    return this.drain();
  }

  private feed(text: string): void {
    if (!this.overflowed) this.parser.feed(text);
    if (this.overflowed) throw new OversizeUnitError();
  }

  private drain(): readonly SseEvent[] {
    if (this.pending.length === 0) return EMPTY;
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

const EMPTY: readonly SseEvent[] = Object.freeze([]);
