/**
 * Stream chunks serialised without `JSON.stringify` of the whole chunk (issue 8): that was a tenth of
 * a stream's CPU. The chunks of one stream share their head (id, object, created, model); a
 * serializer, one per stream, keeps the head it serialised last, and a chunk of the usual shape —
 * keys exactly `id, object, created, model`, OpenAI's optional `service_tier` and `system_fingerprint`
 * (strings), `choices` (then `usage: null`), one choice whose keys are
 * exactly `index, delta, logprobs, finish_reason` — is written as that head plus its own delta and
 * finish reason. Any other chunk (a usage chunk, one with another key or key order, one changed by
 * a careless caller) is serialised whole: the bytes are the same either way (a test compares them
 * with JSON.stringify).
 *
 * The first pass registered each factory chunk's head in a WeakMap; checking the shape on the chunk
 * itself instead costs less than the registration did (a WeakMap entry per chunk is also work for
 * every garbage collection) and serves chunks the engine rebuilds (continuations) too.
 */
import type { ChatCompletionChunk } from './wire.js';

interface ChunkHead {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  readonly serviceTier: string | undefined;
  readonly systemFingerprint: string | undefined;
  readonly usageNull: boolean;
  /** `{"id":…,"object":"chat.completion.chunk","created":…,"model":…[,"service_tier":…][,"system_fingerprint":…],"choices":[{"index":0,"delta":` */
  readonly prefix: string;
}

/** The usual chunk's keys in order (OpenAI's); those marked in OPTIONAL_KEY may be missing. */
const CHUNK_KEYS = ['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage'] as const;
const OPTIONAL_KEY = [false, false, false, false, true, true, false, true] as const;
const AFTER_CHOICES = CHUNK_KEYS.indexOf('choices') + 1;
const CHOICE_KEYS = ['index', 'delta', 'logprobs', 'finish_reason'] as const;

/**
 * The usual shape, checked on the object as it is now: own and inherited enumerable keys in exactly
 * this order (for…in, as JSON.stringify reads own ones: anything unusual fails and goes the slow way).
 * OpenAI's `service_tier` and `system_fingerprint` belong to the head when they are strings.
 */
function usualShape(chunk: ChatCompletionChunk): boolean {
  let position = 0;
  for (const key in chunk) {
    while (position < CHUNK_KEYS.length && key !== CHUNK_KEYS[position] && OPTIONAL_KEY[position] === true) position += 1;
    if (position === CHUNK_KEYS.length || key !== CHUNK_KEYS[position]) return false;
    position += 1;
  }
  if (position < AFTER_CHOICES) return false;
  if (chunk.object !== 'chat.completion.chunk' || typeof chunk.id !== 'string' || typeof chunk.model !== 'string' || typeof chunk.created !== 'number') return false;
  if ('usage' in chunk && chunk.usage !== null) return false;
  if (!stringOrAbsent(chunk.service_tier) || !stringOrAbsent(chunk.system_fingerprint)) return false;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return false;
  const choice = choices[0];
  if (choice === undefined || choice === null || choice.index !== 0 || choice.logprobs !== null || choice.finish_reason === undefined) return false;
  if (typeof choice.delta !== 'object' || choice.delta === null) return false;
  position = 0;
  for (const key in choice) {
    if (key !== CHOICE_KEYS[position]) return false;
    position += 1;
  }
  return position === CHOICE_KEYS.length;
}

/** A head field JSON.stringify writes as a string or leaves out (undefined); null and others go the slow way. */
function stringOrAbsent(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function headOf(chunk: ChatCompletionChunk, usageNull: boolean): ChunkHead {
  const { id, created, model } = chunk;
  const serviceTier = chunk.service_tier ?? undefined;
  const systemFingerprint = chunk.system_fingerprint ?? undefined;
  const prefix = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(created)},"model":${JSON.stringify(model)}`
    + (serviceTier === undefined ? '' : `,"service_tier":${JSON.stringify(serviceTier)}`)
    + (systemFingerprint === undefined ? '' : `,"system_fingerprint":${JSON.stringify(systemFingerprint)}`)
    + ',"choices":[{"index":0,"delta":';
  return { id, created, model, serviceTier, systemFingerprint, usageNull, prefix };
}

/** Exactly `JSON.stringify(chunk)`, reusing the head of the chunk before it; one per stream. */
export function createChunkSerializer(): (chunk: ChatCompletionChunk) => string {
  let head: ChunkHead | undefined;
  return (chunk) => {
    if (!usualShape(chunk)) return JSON.stringify(chunk);
    const usageNull = chunk.usage === null;
    if (head === undefined || head.id !== chunk.id || head.created !== chunk.created || head.model !== chunk.model || head.usageNull !== usageNull
      || head.serviceTier !== chunk.service_tier || head.systemFingerprint !== chunk.system_fingerprint) {
      head = headOf(chunk, usageNull);
    }
    const choice = chunk.choices[0] as ChatCompletionChunk['choices'][number];
    return `${head.prefix}${JSON.stringify(choice.delta)},"logprobs":null,"finish_reason":${JSON.stringify(choice.finish_reason)}}]${usageNull ? ',"usage":null' : ''}}`;
  };
}

/** Exactly `JSON.stringify(chunk)` (a stream's writer keeps a serializer instead: createChunkSerializer). */
export function chunkJson(chunk: ChatCompletionChunk): string {
  return createChunkSerializer()(chunk);
}
