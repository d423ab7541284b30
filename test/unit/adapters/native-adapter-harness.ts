/**
 * Test-local helpers shared by the native adapter tests (anthropic, cohere, ollama): targets, build
 * results, stream runs over byte splits, and the provider's fixture files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  BuildResult, ProviderAdapter, ProviderType, ResponseContext, StreamStep, TargetContext, TranslatedError,
} from '../../../runtime/adapters/contract.js';
import type { ChatCompletionChunk, ChatCompletionRequest, Usage } from '../../../runtime/openai/wire.js';
import { literalSecret } from '../../../runtime/secrets.js';
import { byteSplits } from '../../helpers/byte-splits.js';

const root = new URL('../../../', import.meta.url).pathname;

export function makeTarget(provider: string, model: string, baseUrl: string, overrides: Partial<TargetContext> = {}): TargetContext {
  return {
    providerId: provider, model, baseUrl, settings: {}, credentials: { api_key: literalSecret('test-key') }, defaults: {}, dropParams: false,
    ...overrides,
  };
}

/** A target every adapter can build for: region for Bedrock, project for Vertex, keys of each kind. */
export function anyAdapterTarget(type: ProviderType): TargetContext {
  return makeTarget(type, 'target-model', 'https://provider.test/v1', {
    settings: { region: 'us-east-1', project: 'p', location: 'us-central1', api_version: '2024-10-21' },
    credentials: { api_key: literalSecret('k'), access_token: literalSecret('t'), access_key_id: literalSecret('a'), secret_access_key: literalSecret('s') },
  });
}

export const CONTEXT: ResponseContext = { completionId: 'chatcmpl-test', created: 1767225600, model: 'target-model', includeUsage: true };

/** The native body of a successful build, parsed. */
export function builtBody(result: BuildResult): Record<string, unknown> {
  if (!result.ok) assert.fail(`build failed: ${result.error.envelope.error.message}`);
  return JSON.parse(result.request.body) as Record<string, unknown>;
}

export function buildError(result: BuildResult): TranslatedError {
  if (result.ok) assert.fail(`build succeeded: ${result.request.body}`);
  return result.error;
}

/** A minimal chat request with the given extra fields. */
export function chatRequest(extra: Record<string, unknown> = {}): ChatCompletionRequest {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...extra };
}

export interface StreamRun {
  readonly steps: readonly StreamStep[];
  readonly chunks: readonly ChatCompletionChunk[];
  readonly done: boolean;
  readonly error: TranslatedError | undefined;
  readonly usage: Usage | undefined;
  readonly malformed: number;
  /** Index of the step flagged firstContent (-1 when none). */
  readonly firstContentStep: number;
  readonly firstContentCount: number;
  readonly rawFinishReason: string | undefined;
}

export function runStream(adapter: ProviderAdapter, context: ResponseContext, parts: readonly Uint8Array[]): StreamRun {
  const translator = adapter.createStreamTranslator(context);
  const steps = [...parts.map((part) => translator.push(part)), translator.end()];
  return {
    steps,
    chunks: steps.flatMap((step) => step.chunks),
    done: steps.some((step) => step.done),
    error: steps.find((step) => step.error !== undefined)?.error,
    usage: steps.findLast((step) => step.usage !== undefined)?.usage,
    malformed: steps.reduce((sum, step) => sum + (step.malformed ?? 0), 0),
    firstContentStep: steps.findIndex((step) => step.firstContent),
    firstContentCount: steps.filter((step) => step.firstContent).length,
    rawFinishReason: steps.find((step) => step.rawFinishReason !== undefined)?.rawFinishReason,
  };
}

/** Runs the same bytes whole, one byte at a time and at random cuts; all three must agree. */
export function runAllSplits(adapter: ProviderAdapter, context: ResponseContext, text: string): StreamRun {
  const bytes = new TextEncoder().encode(text);
  const runs = byteSplits(bytes).map((splitting) => ({ name: splitting.name, run: runStream(adapter, context, splitting.parts) }));
  const [first, ...rest] = runs;
  assert.ok(first !== undefined);
  for (const other of rest) {
    assert.deepEqual(other.run.chunks, first.run.chunks, `chunks differ: ${other.name} vs ${first.name}`);
    assert.equal(other.run.done, first.run.done, `done differs: ${other.name}`);
    assert.deepEqual(other.run.usage, first.run.usage, `usage differs: ${other.name}`);
    assert.deepEqual(other.run.error, first.run.error, `error differs: ${other.name}`);
    assert.equal(other.run.malformed, first.run.malformed, `malformed count differs: ${other.name}`);
    assert.equal(other.run.firstContentCount, first.run.firstContentCount, `firstContent count differs: ${other.name}`);
  }
  return first.run;
}

export function sseEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

export interface ProviderFixture {
  readonly case: string;
  readonly openai_request?: string;
  readonly target?: { readonly model: string; readonly settings?: Record<string, string> };
  readonly request: { readonly path: string; readonly headers?: Record<string, string>; readonly body?: unknown };
  readonly response: {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly body?: unknown;
    readonly stream?: { readonly chunks: readonly { readonly data?: string }[] };
  };
  readonly expected: { readonly completion?: unknown; readonly chunks?: readonly unknown[]; readonly error?: Record<string, unknown> };
}

export function providerFixtures(provider: string): ProviderFixture[] {
  const directory = join(root, 'fixtures', 'providers', provider);
  return readdirSync(directory).filter((name) => name.endsWith('.json')).sort()
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as ProviderFixture);
}

export function canonicalRequest(name: string): ChatCompletionRequest {
  return JSON.parse(readFileSync(join(root, 'fixtures', 'requests', `${name}.json`), 'utf8')) as ChatCompletionRequest;
}

/** The stream body of a fixture as one string (chunks concatenated). */
export function fixtureStreamText(fixture: ProviderFixture): string {
  return (fixture.response.stream?.chunks ?? []).map((chunk) => chunk.data ?? '').join('');
}

export function fixtureBodyText(fixture: ProviderFixture): string {
  const body = fixture.response.body;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** The translated error in the fixture schema's shape. */
export function errorShape(error: TranslatedError): Record<string, unknown> {
  return {
    status: error.status, envelope: error.envelope, failover_class: error.failoverClass,
    ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
  };
}

/**
 * Every stream fixture of the provider translates to its expected chunks whole, byte by byte and at
 * random cuts, ends done, and flags firstContent exactly once.
 */
export function assertFixtureStreams(adapter: ProviderAdapter, provider: string): void {
  for (const fixture of providerFixtures(provider)) {
    if (fixture.expected.chunks === undefined) continue;
    const run = runAllSplits(adapter, fixtureContext(fixture), fixtureStreamText(fixture));
    assert.deepEqual(run.chunks, fixture.expected.chunks, fixture.case);
    assert.equal(run.done, true, fixture.case);
    assert.equal(run.firstContentCount, 1, fixture.case);
  }
}

/** Every answer, error and golden request of the provider's fixtures matches what the adapter produces. */
export function assertFixtureExchanges(adapter: ProviderAdapter, provider: string, target: (model: string) => TargetContext): void {
  for (const fixture of providerFixtures(provider)) {
    const { status, headers } = fixture.response;
    if (fixture.expected.completion !== undefined) {
      const result = adapter.parseResponse(status, headers, fixtureBodyText(fixture), fixtureContext(fixture));
      assert.ok(result.ok, fixture.case);
      assert.deepEqual(result.completion, fixture.expected.completion, fixture.case);
    }
    if (fixture.expected.error !== undefined) {
      assert.deepEqual(errorShape(adapter.parseError(status, headers, fixtureBodyText(fixture))), fixture.expected.error, fixture.case);
    }
    if (fixture.openai_request !== undefined) {
      const built = adapter.buildRequest(canonicalRequest(fixture.openai_request), target(fixture.target?.model ?? ''));
      assert.deepEqual(builtBody(built), fixture.request.body, fixture.case);
      assert.ok(built.ok);
      assert.deepEqual(built.request.headers, fixture.request.headers ?? {}, fixture.case);
      assert.ok(built.request.url.endsWith(fixture.request.path), fixture.case);
    }
  }
}

/** The ResponseContext fixtures are recorded with (fixture.schema.json `expected`). */
function fixtureContext(fixture: ProviderFixture): ResponseContext {
  return { completionId: 'chatcmpl-fixture', created: 1767225600, model: fixture.target?.model ?? '', includeUsage: true };
}
