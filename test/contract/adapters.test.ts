/**
 * Every adapter × every fixture under fixtures/providers (whoever wrote it), resolved through the
 * registry by `fixture.provider`: the canonical OpenAI request builds exactly the recorded native
 * request; the recorded answer translates to the expected OpenAI completion, chunk sequence or error;
 * streams agree whole, one byte at a time and at random cuts; translation is deterministic and never
 * mutates its (deep-frozen) inputs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  PROVIDER_TYPES, type ProviderAdapter, type ProviderType, type ResponseContext, type StreamStep, type TargetContext, type TranslatedError,
} from '../../runtime/adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../../runtime/adapters/provider-defaults.js';
import { getAdapter } from '../../runtime/adapters/registry.js';
import { fixtureWire } from '../../runtime/mock/fixture-wire.js';
import type { Fixture } from '../../runtime/mock/fixture-index.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import { envSecret } from '../../runtime/secrets.js';
import { byteSplits } from '../helpers/byte-splits.js';

const root = new URL('../../', import.meta.url).pathname;
const providersDirectory = join(root, 'fixtures', 'providers');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    for (const entry of Object.values(value)) deepFreeze(entry);
    Object.freeze(value);
  }
  return value;
}

function fillPlaceholders(template: string, settings: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => settings[name] ?? 'fixture');
}

/** The target the engine would resolve for a provider entry without overrides, every credential set. */
function fixtureTarget(fixture: Fixture): TargetContext {
  const defaults = PROVIDER_DEFAULTS[fixture.provider];
  const settings = { ...defaults.settingDefaults, ...(fixture.target?.settings ?? {}) };
  const credentials = Object.fromEntries(
    Object.entries(defaults.credentialEnv).map(([field, variable]) => [field, envSecret(variable, `test-${field}`)]),
  );
  return deepFreeze({
    providerId: fixture.provider,
    model: fixture.target?.model ?? 'fixture-model',
    baseUrl: fillPlaceholders(defaults.baseUrl, settings),
    settings,
    credentials,
    defaults: {},
    dropParams: false,
  });
}

function fixtureContext(fixture: Fixture): ResponseContext {
  return deepFreeze({ completionId: 'chatcmpl-fixture', created: 1767225600, model: fixture.target?.model ?? 'fixture-model', includeUsage: true });
}

function errorShape(error: TranslatedError): Record<string, unknown> {
  return {
    status: error.status,
    envelope: error.envelope,
    failover_class: error.failoverClass,
    ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
  };
}

interface StreamOutcome {
  readonly chunks: readonly unknown[];
  readonly done: boolean;
  readonly errors: readonly TranslatedError[];
  readonly firstContentSteps: number;
}

function runStream(adapter: ProviderAdapter, context: ResponseContext, parts: readonly Uint8Array[]): StreamOutcome {
  const translator = adapter.createStreamTranslator(context);
  const steps: StreamStep[] = [...parts.map((part) => translator.push(part)), translator.end()];
  return {
    chunks: steps.flatMap((step) => step.chunks),
    done: steps.some((step) => step.done),
    errors: steps.flatMap((step) => (step.error === undefined ? [] : [step.error])),
    firstContentSteps: steps.filter((step) => step.firstContent).length,
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const decoder = new TextDecoder();

const providerDirectories = readdirSync(providersDirectory, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();

test('every provider type has fixtures, so every adapter is exercised', () => {
  for (const type of PROVIDER_TYPES) assert.ok(providerDirectories.includes(type), `fixtures/providers/${type} is missing`);
});

for (const provider of providerDirectories) {
  describe(`fixtures/providers/${provider}`, () => {
    const files = readdirSync(join(providersDirectory, provider)).filter((file) => file.endsWith('.json')).sort();
    for (const file of files) {
      const fixture = deepFreeze(readJson(join(providersDirectory, provider, file)) as Fixture);
      const adapter = getAdapter(fixture.provider as ProviderType);

      test(`${file}: the registry resolves the ${fixture.provider} adapter`, () => {
        assert.equal(adapter.type, fixture.provider);
      });

      if (fixture.openai_request !== undefined) {
        const requestName = fixture.openai_request;
        test(`${file}: the canonical '${requestName}' request builds the recorded native request, deterministically`, () => {
          const request = deepFreeze(readJson(join(root, 'fixtures', 'requests', `${requestName}.json`)) as ChatCompletionRequest);
          const snapshot = structuredClone(request);
          const target = fixtureTarget(fixture);
          const built = adapter.buildRequest(request, target);
          if (!built.ok) assert.fail(`build failed: ${built.error.envelope.error.message}`);
          assert.equal(built.request.method, fixture.request.method);
          assert.ok(built.request.url.startsWith(target.baseUrl), `${built.request.url} is not under ${target.baseUrl}`);
          assert.equal(built.request.url.slice(target.baseUrl.length), fixture.request.path);
          if (fixture.request.headers !== undefined) assert.deepEqual(built.request.headers, fixture.request.headers);
          assert.deepEqual(JSON.parse(built.request.body), fixture.request.body);
          assert.equal(built.request.stream !== false, fixture.response.stream !== undefined || request.stream === true);
          const again = adapter.buildRequest(request, target);
          assert.ok(again.ok);
          assert.equal(again.request.body, built.request.body, 'same input, same body string');
          assert.deepEqual(request, snapshot);
        });
      }

      const wire = fixtureWire(fixture, fixture.recorded_model ?? '');
      const context = fixtureContext(fixture);
      const headers = deepFreeze({ ...wire.headers });

      if (fixture.expected.error !== undefined) {
        const expected = fixture.expected.error;
        test(`${file}: the recorded error translates to status ${expected.status}, class ${expected.failover_class}`, () => {
          const body = wire.body === undefined ? '' : decoder.decode(wire.body);
          const translated = adapter.parseError(fixture.response.status, headers, body);
          assert.deepEqual(errorShape(translated), expected);
          assert.deepEqual(adapter.parseError(fixture.response.status, headers, body), translated, 'deterministic');
          if (wire.body !== undefined && fixture.response.status >= 400) {
            const parsed = adapter.parseResponse(fixture.response.status, headers, body, context);
            assert.ok(!parsed.ok, 'an error status never parses as a completion');
            assert.deepEqual(errorShape(parsed.error), expected);
          }
        });
      } else if (fixture.expected.completion !== undefined) {
        const expected = fixture.expected.completion;
        test(`${file}: the recorded body translates to the expected completion`, () => {
          assert.ok(wire.body !== undefined, 'a completion fixture has a body');
          const body = decoder.decode(wire.body);
          const parsed = adapter.parseResponse(fixture.response.status, headers, body, context);
          if (!parsed.ok) assert.fail(`parse failed: ${parsed.error.envelope.error.message}`);
          assert.deepEqual(parsed.completion, expected);
          assert.deepEqual(adapter.parseResponse(fixture.response.status, headers, body, context), parsed, 'deterministic');
        });
      } else if (fixture.expected.chunks !== undefined) {
        const expected = fixture.expected.chunks;
        test(`${file}: the recorded stream translates to the expected chunks whole, byte by byte and at random cuts`, () => {
          assert.ok(wire.chunks !== undefined, 'a chunks fixture has a stream');
          const bytes = concat(wire.chunks.map((chunk) => chunk.bytes));
          const original = bytes.slice();
          for (const splitting of byteSplits(bytes)) {
            const outcome = runStream(adapter, context, splitting.parts);
            assert.deepEqual(outcome.errors, [], `${splitting.name}: no error step`);
            assert.deepEqual(outcome.chunks, expected, `${splitting.name}: chunks`);
            assert.ok(outcome.done, `${splitting.name}: the stream is complete`);
            assert.equal(outcome.firstContentSteps, 1, `${splitting.name}: exactly one step marks the first content`);
          }
          assert.deepEqual(bytes, original, 'the input bytes are not mutated');
        });
      }
    }
  });
}
