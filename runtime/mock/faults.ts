/**
 * The mock's fault grammar, shared by `--fault SPEC` (global, scoped by provider/model, limited by
 * `first`/`for_ms`) and the `x-aigw-mock-fault` request header (this request only): comma-separated
 * `key=value` pairs and bare flags, e.g. `provider=anthropic,status=529,first=3` or
 * `delay_first_chunk=2000`. Chunk numbers count from 1. Documented in the README (section mock) and
 * `aigw mock --help`, both generated from FAULT_KEYS below.
 */

export interface FaultSpec {
  /** As written (request log, errors). */
  readonly text: string;
  readonly provider?: string;
  /** Exact model, or a pattern with `*`. */
  readonly model?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly delayHeadersMs?: number;
  readonly delayFirstChunkMs?: number;
  readonly noAnswer?: boolean;
  readonly reset?: boolean;
  readonly cutAfter?: number;
  readonly resetAfter?: number;
  readonly stallMs?: number;
  readonly stallAfter?: number;
  readonly malformedAt?: number;
  readonly noTerminator?: boolean;
  readonly rejectPrefill?: boolean;
  readonly first?: number;
  readonly forMs?: number;
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

type Kind = 'text' | 'status' | 'seconds' | 'ms' | 'count' | 'flag';

interface FaultKey {
  readonly field: Exclude<keyof FaultSpec, 'text'>;
  readonly kind: Kind;
  readonly help: string;
}

/** The grammar, in the order the help lists it. */
export const FAULT_KEYS: Readonly<Record<string, FaultKey>> = {
  provider: { field: 'provider', kind: 'text', help: 'only requests to this provider id (global faults)' },
  model: { field: 'model', kind: 'text', help: 'only requests for this model; * matches any run of characters' },
  status: { field: 'status', kind: 'status', help: "answer this HTTP status (400-599) with the provider's own error body and headers" },
  retry_after: { field: 'retryAfterSeconds', kind: 'seconds', help: "with status: the provider's retry hint in seconds (retry-after header; Gemini RetryInfo; Bedrock sends none)" },
  delay_headers: { field: 'delayHeadersMs', kind: 'ms', help: 'wait MS before the response head' },
  delay_first_chunk: { field: 'delayFirstChunkMs', kind: 'ms', help: 'wait MS more before the first body chunk (later chunks shift with it)' },
  no_answer: { field: 'noAnswer', kind: 'flag', help: 'accept the request and never answer' },
  reset: { field: 'reset', kind: 'flag', help: 'destroy the connection before the response head' },
  cut_after: { field: 'cutAfter', kind: 'count', help: 'end the stream cleanly after N chunks, without its terminator (a mid-answer cut)' },
  reset_after: { field: 'resetAfter', kind: 'count', help: 'destroy the connection after N chunks (a broken body)' },
  stall: { field: 'stallMs', kind: 'ms', help: 'pause MS mid-stream (after chunk stall_after)' },
  stall_after: { field: 'stallAfter', kind: 'count', help: 'the chunk after which stall pauses (default 1)' },
  malformed_at: { field: 'malformedAt', kind: 'count', help: 'replace chunk N with an event carrying broken JSON (framing intact)' },
  no_terminator: { field: 'noTerminator', kind: 'flag', help: 'drop the last (terminating) chunk; the answer is otherwise complete' },
  reject_prefill: { field: 'rejectPrefill', kind: 'flag', help: "a request ending with an assistant prefill gets the provider's 400" },
  first: { field: 'first', kind: 'count', help: 'apply to the first N matching requests only (global faults)' },
  for_ms: { field: 'forMs', kind: 'ms', help: 'apply only during the first MS after the fault is set (mock start, or PUT /__mock/faults)' },
};

const EFFECTS: readonly (keyof FaultSpec)[] = [
  'status', 'delayHeadersMs', 'delayFirstChunkMs', 'noAnswer', 'reset', 'cutAfter', 'resetAfter', 'stallMs',
  'malformedAt', 'noTerminator', 'rejectPrefill',
];

function parseNumber(key: string, raw: string, kind: Kind): number {
  const value = Number(raw);
  const integer = kind !== 'seconds';
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new FaultSpecError(`fault ${key}=${raw}: expected ${integer ? 'a whole number' : 'a number'} >= 0`);
  }
  if (kind === 'status' && (value < 400 || value > 599)) throw new FaultSpecError(`fault status=${raw}: expected 400-599`);
  if (kind === 'count' && value < 1 && key !== 'cut_after' && key !== 'reset_after') throw new FaultSpecError(`fault ${key}=${raw}: chunks count from 1`);
  return value;
}

/** Parses one spec; throws FaultSpecError naming the offending part. */
export function parseFault(text: string): FaultSpec {
  const spec: Record<string, unknown> = { text };
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const equals = part.indexOf('=');
    const key = equals === -1 ? part : part.slice(0, equals).trim();
    const raw = equals === -1 ? undefined : part.slice(equals + 1).trim();
    const definition = FAULT_KEYS[key];
    if (definition === undefined) {
      throw new FaultSpecError(`fault "${text}": unknown key "${key}" (known: ${Object.keys(FAULT_KEYS).join(', ')})`);
    }
    if (definition.field in spec) throw new FaultSpecError(`fault "${text}": ${key} given twice`);
    if (definition.kind === 'flag') {
      if (raw !== undefined && raw !== 'true') throw new FaultSpecError(`fault "${text}": ${key} is a flag and takes no value`);
      spec[definition.field] = true;
    } else if (raw === undefined || raw === '') {
      throw new FaultSpecError(`fault "${text}": ${key} needs a value (${key}=…)`);
    } else {
      spec[definition.field] = definition.kind === 'text' ? raw : parseNumber(key, raw, definition.kind);
    }
  }
  // Every field was set above from FAULT_KEYS with the type its kind promises.
  const fault = spec as unknown as FaultSpec;
  if (fault.retryAfterSeconds !== undefined && fault.status === undefined) throw new FaultSpecError(`fault "${text}": retry_after needs status`);
  if (fault.stallAfter !== undefined && fault.stallMs === undefined) throw new FaultSpecError(`fault "${text}": stall_after needs stall`);
  if (!EFFECTS.some((effect) => fault[effect] !== undefined)) {
    throw new FaultSpecError(`fault "${text}": names no effect (status, delay_headers, delay_first_chunk, no_answer, reset, cut_after, reset_after, stall, malformed_at, no_terminator, reject_prefill)`);
  }
  const terminal = [fault.status !== undefined, fault.noAnswer === true, fault.reset === true].filter(Boolean).length;
  if (terminal > 1) throw new FaultSpecError(`fault "${text}": status, no_answer and reset exclude each other`);
  return fault;
}

function modelMatches(pattern: string, model: string | undefined): boolean {
  if (model === undefined) return false;
  if (!pattern.includes('*')) return pattern === model;
  const expression = pattern.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`).test(model);
}

export interface FaultRequest {
  readonly provider: string;
  readonly model: string | undefined;
}

/** Global faults with their `first` counters and `for_ms` windows; the first active, matching spec applies. */
export interface FaultBook {
  select(request: FaultRequest): FaultSpec | undefined;
  /** Replaces the global faults: counters restart, `for_ms` windows open now. */
  replace(faults: readonly FaultSpec[]): void;
  list(): readonly FaultSpec[];
}

/** `now`: monotonic milliseconds (the mock's clock), for `for_ms`. */
export function createFaultBook(initial: readonly FaultSpec[] = [], now: () => number = () => performance.now()): FaultBook {
  let faults: { spec: FaultSpec; applied: number }[] = [];
  let installedAt = now();
  const book: FaultBook = {
    select(request) {
      const elapsed = now() - installedAt;
      for (const entry of faults) {
        const { spec } = entry;
        if (spec.provider !== undefined && spec.provider !== request.provider) continue;
        if (spec.model !== undefined && !modelMatches(spec.model, request.model)) continue;
        if (spec.forMs !== undefined && elapsed >= spec.forMs) continue;
        if (spec.first !== undefined && entry.applied >= spec.first) continue;
        entry.applied += 1;
        return spec;
      }
      return undefined;
    },
    replace(next) {
      faults = next.map((spec) => ({ spec, applied: 0 }));
      installedAt = now();
    },
    list: () => faults.map((entry) => entry.spec),
  };
  book.replace(initial);
  return book;
}

/** The grammar as help text (README and `aigw mock --help`). */
export function faultHelp(): string {
  const placeholder: Readonly<Record<Kind, string>> = { text: '=X', status: '=CODE', seconds: '=S', ms: '=MS', count: '=N', flag: '' };
  const names = Object.entries(FAULT_KEYS).map(([key, definition]) => [`${key}${placeholder[definition.kind]}`, definition.help] as const);
  const width = Math.max(...names.map(([name]) => name.length)) + 2;
  return names.map(([name, help]) => `  ${name.padEnd(width)}${help}`).join('\n');
}
