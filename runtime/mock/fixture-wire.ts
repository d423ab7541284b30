/**
 * A fixture's response as wire bytes: what `aigw mock` writes to the socket and what the simulator's
 * fixture transport hands the engine. The recorded model is replaced by the requested one (the mock
 * echoes the model it was asked for); SSE and NDJSON chunk text becomes UTF-8; Bedrock frames become
 * real event-stream binary. Encodings are cached per (fixture, model) because the simulator asks for
 * the same few pairs a hundred thousand times.
 */
import type { StreamFraming } from '../adapters/contract.js';
import { createEventStreamDecoder, encodeEventStreamFrames } from '../adapters/bedrock/event-stream.js';
import type { Fixture, FixtureChunk } from './fixture-index.js';

export interface WireChunk {
  /** Offset from the request start, as recorded (callers scale it). */
  readonly atMs: number;
  readonly bytes: Uint8Array;
}

/**
 * Shared and cached: callers must not mutate `body` or any chunk's `bytes` (copy before changing).
 */
export interface FixtureWire {
  readonly status: number;
  /** Lower-case names; content-type always present. No content-length (the server frames the body). */
  readonly headers: Readonly<Record<string, string>>;
  /** Offset from the request start to the response head. */
  readonly headersAtMs: number;
  /** Non-stream body. */
  readonly body?: Uint8Array;
  /** Streamed body, in order. */
  readonly chunks?: readonly WireChunk[];
  readonly framing?: StreamFraming;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cached models per fixture: bounded, so a client inventing model names cannot grow memory. */
const MODELS_PER_FIXTURE = 64;
const cache = new WeakMap<Fixture, Map<string, FixtureWire>>();

const DEFAULT_CONTENT_TYPES: Readonly<Record<StreamFraming, string>> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  'aws-eventstream': 'application/vnd.amazon.eventstream',
};

/** The fixture's response as bytes, with `recorded_model` replaced by `requestedModel`. */
export function fixtureWire(fixture: Fixture, requestedModel: string): FixtureWire {
  let models = cache.get(fixture);
  if (models === undefined) {
    models = new Map();
    cache.set(fixture, models);
  }
  const cached = models.get(requestedModel);
  if (cached !== undefined) return cached;
  const wire = encodeWire(fixture, requestedModel);
  if (models.size >= MODELS_PER_FIXTURE) {
    const oldest = models.keys().next().value;
    if (oldest !== undefined) models.delete(oldest);
  }
  models.set(requestedModel, wire);
  return wire;
}

/**
 * Swaps the recorded model for the requested one wherever it appears as a whole JSON string (never as
 * a substring: `gpt-4o` must not touch `gpt-4o-mini`).
 */
function modelReplacer(fixture: Fixture, requestedModel: string): (text: string) => string {
  const recorded = fixture.recorded_model;
  if (recorded === undefined || recorded === requestedModel) return (text) => text;
  const from = JSON.stringify(recorded);
  const to = JSON.stringify(requestedModel);
  return (text) => text.split(from).join(to);
}

function encodeWire(fixture: Fixture, requestedModel: string): FixtureWire {
  const replace = modelReplacer(fixture, requestedModel);
  const response = fixture.response;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    // Framing headers belong to the connection that recorded them; the body here is decoded.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection' || lower === 'content-encoding') continue;
    headers[lower] = value;
  }
  const headersAtMs = response.headers_at_ms ?? 0;
  if (response.stream !== undefined) {
    const framing = response.stream.framing;
    headers['content-type'] ??= DEFAULT_CONTENT_TYPES[framing];
    const chunks = response.stream.chunks.map((chunk) => ({ atMs: chunk.at_ms, bytes: encodeChunk(chunk, framing, replace) }));
    return { status: response.status, headers, headersAtMs, chunks, framing };
  }
  const body = response.body;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return { status: response.status, headers, headersAtMs, body: encoder.encode(replace(body)) };
  }
  headers['content-type'] ??= 'application/json';
  return { status: response.status, headers, headersAtMs, body: encoder.encode(replace(JSON.stringify(body ?? null))) };
}

function encodeChunk(chunk: FixtureChunk, framing: StreamFraming, replace: (text: string) => string): Uint8Array {
  if (framing === 'aws-eventstream') {
    if (chunk.event === undefined) throw new Error('an aws-eventstream chunk needs `event`');
    return encodeFrame(chunk.event.headers, replace(JSON.stringify(chunk.event.payload)));
  }
  if (chunk.data === undefined) throw new Error(`an ${framing} chunk needs \`data\``);
  return encoder.encode(replace(chunk.data));
}

/** One Bedrock frame, encoded by the Bedrock adapter's @smithy/eventstream-codec helper. */
function encodeFrame(headers: Readonly<Record<string, string>>, payload: string): Uint8Array {
  const [frame] = encodeEventStreamFrames([{ headers, payload }]);
  if (frame === undefined) throw new Error('encodeEventStreamFrames returned no frame');
  return frame;
}

/** The JSON that every malformed event carries: opened, never closed. */
const BROKEN_JSON = '{"aigw_mock_malformed":';

/**
 * The same chunk with its JSON broken but its framing intact (the `malformed_at` fault): SSE keeps its
 * `event:` line and blank-line end, NDJSON its newline, an event-stream frame valid CRCs and headers.
 * A parser must skip it as malformed, not fail on framing.
 */
export function malformedChunk(bytes: Uint8Array, framing: StreamFraming): Uint8Array {
  switch (framing) {
    case 'aws-eventstream': {
      const unit = createEventStreamDecoder().push(bytes)[0];
      if (unit?.type !== 'frame') throw new Error('malformedChunk: not one complete event-stream frame');
      return encodeFrame(unit.frame.headers, BROKEN_JSON);
    }
    case 'ndjson':
      return encoder.encode(`${BROKEN_JSON}\n`);
    case 'sse': {
      const text = decoder.decode(bytes);
      const lines = text.split(/\r?\n/);
      let replaced = false;
      const broken = lines.flatMap((line) => {
        if (!line.startsWith('data:')) return [line];
        if (replaced) return [];
        replaced = true;
        return [`data: ${BROKEN_JSON}`];
      });
      if (!replaced) return encoder.encode(`data: ${BROKEN_JSON}\n\n`);
      return encoder.encode(broken.join('\n'));
    }
    default: {
      const unknown: never = framing;
      throw new Error(`unknown framing ${String(unknown)}`);
    }
  }
}
