/**
 * Binary `application/vnd.amazon.eventstream` frames for Bedrock's ConverseStream, encoded and decoded
 * by @smithy/eventstream-codec (prelude, CRC-32s and typed headers are the library's job, style §A.5).
 * Bedrock's frames carry string headers only (`:event-type`, `:content-type`, `:message-type`, or
 * `:exception-type`) and a JSON payload.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const encoder = new TextEncoder();

export interface EventStreamFrame {
  readonly headers: Readonly<Record<string, string>>;
  /** The payload: bytes, or text sent as UTF-8. */
  readonly payload: Uint8Array | string;
}

/** One frame → its exact wire bytes. */
export function encodeEventStreamFrame(frame: EventStreamFrame): Uint8Array {
  const headers: Record<string, { type: 'string'; value: string }> = {};
  for (const [name, value] of Object.entries(frame.headers)) headers[name] = { type: 'string', value };
  const body = typeof frame.payload === 'string' ? encoder.encode(frame.payload) : frame.payload;
  return codec.encode({ headers, body });
}

/** One complete frame's bytes → its string headers and payload bytes (non-string headers are skipped). */
export function decodeEventStreamFrame(bytes: Uint8Array): { headers: Record<string, string>; payload: Uint8Array } {
  const message = codec.decode(bytes);
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) {
    if (header.type === 'string') headers[name] = header.value;
  }
  return { headers, payload: message.body };
}
