/**
 * The recorded provider exchanges under fixtures/: loaded once, validated against
 * schemas/fixture.schema.json (ajv 2020-12, compiled once), and indexed by provider and case. Served by
 * `aigw mock`, replayed by `aigw simulate`'s fixture transport, checked by the adapter contract tests.
 * A broken fixture fails the load loudly, naming the file: a silently skipped fixture would be a
 * provider nobody tests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ProviderType, StreamFraming } from '../adapters/contract.js';
import type { ChatCompletionRequest } from '../openai/wire.js';
import { packagePath } from '../package-root.js';

/** One AWS event-stream frame as written in a fixture (the mock encodes it to binary). */
export interface FixtureEventFrame {
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
}

/** One timed piece of a streamed body: exact wire text (sse, ndjson) or one event-stream frame. */
export interface FixtureChunk {
  readonly at_ms: number;
  readonly data?: string;
  readonly event?: FixtureEventFrame;
}

export interface FixtureResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly headers_at_ms?: number;
  /** A JSON value, or a string sent verbatim. */
  readonly body?: unknown;
  readonly stream?: { readonly framing: StreamFraming; readonly chunks: readonly FixtureChunk[] };
}

export interface FixtureExpectedError {
  readonly status: number;
  readonly envelope: Readonly<Record<string, unknown>>;
  readonly failover_class: string;
  readonly retry_after_ms?: number;
}

/** A fixture file (schemas/fixture.schema.json); field names are the file's own. */
export interface Fixture {
  readonly provider: ProviderType;
  readonly case: string;
  readonly description: string;
  readonly source: string;
  readonly openai_request?: string;
  readonly recorded_model?: string;
  readonly target?: { readonly model: string; readonly settings?: Readonly<Record<string, string>> };
  readonly request: {
    readonly method: 'POST';
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
  readonly response: FixtureResponse;
  readonly expected: {
    readonly completion?: Readonly<Record<string, unknown>>;
    readonly chunks?: readonly Readonly<Record<string, unknown>>[];
    readonly error?: FixtureExpectedError;
  };
}

/** The four answer cases a chat request can need, by request shape. */
export type AnswerCase = 'chat' | 'chat-stream' | 'tool-call' | 'tool-call-stream';

export interface FixtureIndex {
  /** The fixtures folder this index was read from. */
  readonly directory: string;
  /** Provider ids that have at least one fixture, sorted. */
  providers(): readonly ProviderType[];
  /** Every fixture of a provider (all providers when omitted), sorted by provider then case. */
  list(provider?: ProviderType): readonly Fixture[];
  get(provider: ProviderType, caseName: string): Fixture | undefined;
  /** The answer fixture for a request shape: chat, chat-stream, tool-call or tool-call-stream. */
  pick(provider: ProviderType, shape: { readonly stream: boolean; readonly tools: boolean }): Fixture | undefined;
  /** The provider's recorded error answer with exactly this status (case `error-<status>`, or any case with it). */
  error(provider: ProviderType, status: number): Fixture | undefined;
  /** A canonical OpenAI request from fixtures/requests/<name>.json. */
  request(name: string): ChatCompletionRequest | undefined;
  /** Names of the canonical OpenAI requests, sorted. */
  requestNames(): readonly string[];
}

/** Thrown when a fixture file is unreadable or invalid; the message names the file. */
export class FixtureError extends Error {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'FixtureError';
    this.file = file;
  }
}

export function answerCase(shape: { readonly stream: boolean; readonly tools: boolean }): AnswerCase {
  if (shape.tools) return shape.stream ? 'tool-call-stream' : 'tool-call';
  return shape.stream ? 'chat-stream' : 'chat';
}

let compiledValidator: ValidateFunction | undefined;

/** The fixture schema's validator, compiled on first use and kept (style §B: caches created once). */
function fixtureValidator(): ValidateFunction {
  if (compiledValidator === undefined) {
    const schema = JSON.parse(readFileSync(packagePath('schemas', 'fixture.schema.json'), 'utf8')) as object;
    compiledValidator = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  }
  return compiledValidator;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FixtureError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FixtureError(file, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function jsonFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
}

/** Validates one parsed fixture file and checks that its provider and case agree with its path. */
export function checkFixture(file: string, value: unknown, expected?: { provider: string; caseName: string }): Fixture {
  const validate = fixtureValidator();
  if (!validate(value)) {
    const details = (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath === '' ? '/' : error.instancePath} ${error.message ?? 'is invalid'}`)
      .join('; ');
    throw new FixtureError(file, `does not match schemas/fixture.schema.json: ${details}`);
  }
  // The schema just validated it; Fixture mirrors the schema.
  const fixture = value as Fixture;
  if (expected !== undefined) {
    if (fixture.provider !== expected.provider) {
      throw new FixtureError(file, `provider "${fixture.provider}" does not match its folder "${expected.provider}"`);
    }
    if (fixture.case !== expected.caseName) {
      throw new FixtureError(file, `case "${fixture.case}" does not match its file name "${expected.caseName}"`);
    }
  }
  return fixture;
}

/**
 * Reads fixtures/providers/<id>/*.json and fixtures/requests/*.json. Throws a FixtureError naming the
 * first bad file, or the folder when it has no providers/ folder at all (a mistyped --fixtures would
 * otherwise start a mock that answers 500 to everything).
 */
export function loadFixtureIndex(directory: string = packagePath('fixtures')): FixtureIndex {
  const byProvider = new Map<ProviderType, Map<string, Fixture>>();
  const providersDirectory = join(directory, 'providers');
  if (!existsSync(providersDirectory) || !statSync(providersDirectory).isDirectory()) {
    throw new FixtureError(directory, 'not a fixtures folder: it has no providers/ folder (expected providers/<provider-id>/<case>.json)');
  }
  const providerIds = readdirSync(providersDirectory, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const providerId of providerIds) {
    const cases = new Map<string, Fixture>();
    for (const name of jsonFiles(join(providersDirectory, providerId))) {
      const file = join(providersDirectory, providerId, name);
      const fixture = checkFixture(file, readJson(file), { provider: providerId, caseName: name.slice(0, -'.json'.length) });
      cases.set(fixture.case, fixture);
    }
    // Each fixture's `provider` (a schema enum of the types) equals this folder name: checked above.
    if (cases.size > 0) byProvider.set(providerId as ProviderType, cases);
  }

  const requests = new Map<string, ChatCompletionRequest>();
  for (const name of jsonFiles(join(directory, 'requests'))) {
    const file = join(directory, 'requests', name);
    const value = readJson(file);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FixtureError(file, 'a canonical request must be a JSON object');
    }
    // Canonical requests are inputs to the adapters' own validation; only their objecthood is checked here.
    requests.set(name.slice(0, -'.json'.length), value as ChatCompletionRequest);
  }
  for (const cases of byProvider.values()) {
    for (const fixture of cases.values()) {
      if (fixture.openai_request !== undefined && !requests.has(fixture.openai_request)) {
        throw new FixtureError(
          join(providersDirectory, fixture.provider, `${fixture.case}.json`),
          `openai_request "${fixture.openai_request}" has no fixtures/requests/${fixture.openai_request}.json`,
        );
      }
    }
  }
  return createIndex(directory, byProvider, requests);
}

function createIndex(
  directory: string,
  byProvider: ReadonlyMap<ProviderType, ReadonlyMap<string, Fixture>>,
  requests: ReadonlyMap<string, ChatCompletionRequest>,
): FixtureIndex {
  const providers = [...byProvider.keys()].sort();
  const sortedCases = (provider: ProviderType): Fixture[] =>
    [...(byProvider.get(provider)?.values() ?? [])].sort((left, right) => left.case.localeCompare(right.case));
  return {
    directory,
    providers: () => providers,
    list: (provider) => (provider === undefined ? providers.flatMap(sortedCases) : sortedCases(provider)),
    get: (provider, caseName) => byProvider.get(provider)?.get(caseName),
    pick: (provider, shape) => byProvider.get(provider)?.get(answerCase(shape)),
    error: (provider, status) => {
      const cases = byProvider.get(provider);
      if (cases === undefined) return undefined;
      const named = cases.get(`error-${status}`);
      if (named !== undefined) return named;
      return sortedCases(provider).find((fixture) => fixture.case.startsWith('error-') && fixture.response.status === status);
    },
    request: (name) => requests.get(name),
    requestNames: () => [...requests.keys()].sort(),
  };
}
