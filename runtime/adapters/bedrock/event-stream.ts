/**
 * `application/vnd.amazon.eventstream` framing for ConverseStream (providers.md §5.4). Each frame is a
 * 12-byte prelude (total length, headers length, prelude CRC-32), typed headers, a payload and a
 * message CRC-32. @smithy/eventstream-codec parses and checks a whole frame; this module only finds
 * frame boundaries in a byte stream that may be split anywhere (even inside the prelude), keeping the
 * residual bytes as a list of pieces: a frame is copied once, when it is complete, and only when it
 * spans pieces — the buffer is never re-copied per push (vercel's decoder does, style §H).
 * A frame that fails its CRC, or a length that cannot be a frame, desynchronises the stream for good:
 * it is reported once as a framing error and nothing after it is read.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html
 * @see https://github.com/awslabs/aws-c-event-stream
 */
import { createRequire } from 'node:module';
// Types only: the codec loads on the first Bedrock frame (about 2.5 MB of resident memory with the
// signer, which every gateway would otherwise carry; issue 8 memory benchmark).
import type { EventStreamCodec } from '@smithy/eventstream-codec';

/** One decoded frame: its string headers (`:event-type`, `:message-type`, …) and raw payload. */
export interface EventStreamFrame {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Uint8Array;
}

export type EventStreamUnit =
  | { readonly type: 'frame'; readonly frame: EventStreamFrame }
  | { readonly type: 'framing-error'; readonly reason: string };

export interface EventStreamDecoder {
  push(bytes: Uint8Array): readonly EventStreamUnit[];
  end(): readonly EventStreamUnit[];
}

const PRELUDE_BYTES = 12;
/** Prelude, prelude CRC is part of it; plus the trailing message CRC. */
const MINIMUM_FRAME_BYTES = 16;
/** The library's maximum message size (aws-c-event-stream `AWS_EVENT_STREAM_MAX_MESSAGE_SIZE`). */
const MAXIMUM_FRAME_BYTES = 24 * 1024 * 1024;

const require = createRequire(import.meta.url);
let sharedCodec: EventStreamCodec | undefined;

/** Made once, on first use: the codec holds no per-stream state when only `encode`/`decode` are used. */
function codec(): EventStreamCodec {
  if (sharedCodec === undefined) {
    const { EventStreamCodec: Codec } = require('@smithy/eventstream-codec') as typeof import('@smithy/eventstream-codec');
    const { fromUtf8, toUtf8 } = require('@smithy/util-utf8') as typeof import('@smithy/util-utf8');
    sharedCodec = new Codec(toUtf8, fromUtf8);
  }
  return sharedCodec;
}

export function createEventStreamDecoder(): EventStreamDecoder {
  const pieces: Uint8Array[] = [];
  let buffered = 0;
  let failed = false;

  /**
   * The first `count` buffered bytes: a view when they lie in one piece, else one copy. `consume` drops
   * them from the buffer (whole pieces in one splice, so a frame fed one byte at a time stays linear).
   */
  const read = (count: number, consume: boolean): Uint8Array => {
    const first = pieces[0];
    let out: Uint8Array;
    let whole = 0;
    let rest: Uint8Array | undefined;
    if (first !== undefined && first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) whole = 1;
      else rest = first.subarray(count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      for (const piece of pieces) {
        const take = Math.min(piece.length, count - filled);
        out.set(piece.subarray(0, take), filled);
        filled += take;
        if (take < piece.length) {
          rest = piece.subarray(take);
          break;
        }
        whole++;
        if (filled === count) break;
      }
    }
    if (consume) {
      pieces.splice(0, whole);
      if (rest !== undefined) pieces[0] = rest;
      buffered -= count;
    }
    return out;
  };

  const fail = (reason: string): EventStreamUnit => {
    failed = true;
    pieces.length = 0;
    buffered = 0;
    return { type: 'framing-error', reason };
  };

  const drain = (): EventStreamUnit[] => {
    const units: EventStreamUnit[] = [];
    while (!failed && buffered >= PRELUDE_BYTES) {
      const prelude = read(PRELUDE_BYTES, false);
      const view = new DataView(prelude.buffer, prelude.byteOffset, prelude.byteLength);
      const totalLength = view.getUint32(0, false);
      const headersLength = view.getUint32(4, false);
      if (totalLength < MINIMUM_FRAME_BYTES || totalLength > MAXIMUM_FRAME_BYTES || headersLength > totalLength - MINIMUM_FRAME_BYTES) {
        units.push(fail(`invalid event-stream prelude (total ${totalLength} bytes, headers ${headersLength} bytes)`));
        break;
      }
      if (buffered < totalLength) break;
      const bytes = read(totalLength, true);
      try {
        units.push({ type: 'frame', frame: decodeFrame(bytes) });
      } catch (error) {
        units.push(fail(error instanceof Error ? error.message : 'undecodable event-stream frame'));
      }
    }
    return units;
  };

  return {
    push(bytes) {
      if (failed || bytes.length === 0) return [];
      pieces.push(bytes);
      buffered += bytes.length;
      return drain();
    },
    end() {
      if (failed || buffered === 0) return [];
      return [fail(`the stream ended inside an event-stream frame (${buffered} bytes left)`)];
    },
  };
}

/** One complete frame → string headers (Bedrock sends only string headers) and payload. Throws on a bad CRC. */
function decodeFrame(bytes: Uint8Array): EventStreamFrame {
  const message = codec().decode(bytes);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) {
    if (header.type === 'string') headers[name] = header.value;
  }
  return { headers, payload: message.body };
}

/** A frame as fixtures write it: string headers and a JSON payload. */
export interface EventStreamEvent {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
}

const encoder = new TextEncoder();

/**
 * Encodes events into their exact wire frames, one Uint8Array per event (the mock sends each at its
 * recorded offset; tests split them anywhere). The payload is serialised as JSON unless it is already
 * a string or bytes.
 */
export function encodeEventStreamFrames(events: readonly EventStreamEvent[]): Uint8Array[] {
  return events.map((event) => {
    const headers: Record<string, { type: 'string'; value: string }> = {};
    for (const [name, value] of Object.entries(event.headers)) headers[name] = { type: 'string', value };
    const body = event.payload instanceof Uint8Array
      ? event.payload
      : encoder.encode(typeof event.payload === 'string' ? event.payload : JSON.stringify(event.payload));
    return codec().encode({ headers, body });
  });
}
