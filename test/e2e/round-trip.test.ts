/**
 * Round trip over real HTTP, for every provider with fixtures: the adapter's native request
 * goes through the undici transport (auth applied, SigV4 signed) to `aigw mock`, and the answer the
 * adapter translates back equals the fixture's `expected`. Error fixtures come back through the mock's
 * status faults and must translate to their expected error. And per provider, deliberately wrong native
 * requests (no auth, a required field removed) are rejected by the mock's checks in that provider's
 * own error shape, which the adapter then reads. Iterates the registry and the fixtures, so new
 * providers and fixtures are covered as they land.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PROVIDER_TYPES, type NativeRequest, type ProviderType, type ResponseContext, type TargetContext } from '../../runtime/adapters/contract.js';
import { PROVIDER_DEFAULTS } from '../../runtime/adapters/provider-defaults.js';
import { getAdapter } from '../../runtime/adapters/registry.js';
import { loadFixtureIndex, type Fixture } from '../../runtime/mock/fixture-index.js';
import { mockBaseUrl } from '../../runtime/mock/mock-base-url.js';
import { MOCK_AWS_CREDENTIALS } from '../../runtime/mock/sigv4-verify.js';
import { startMock, type RunningMock } from '../../runtime/mock/start-mock.js';
import { literalSecret, type SecretRef } from '../../runtime/secrets.js';
import { createUndiciTransport, type UndiciTransport } from '../../runtime/transport/undici-transport.js';

const index = loadFixtureIndex();
let mock: RunningMock;
let transport: UndiciTransport;

before(async () => {
  mock = await startMock({ speed: 0 });
  transport = createUndiciTransport({ keepAliveTimeoutMs: 10, keepAliveMaxTimeoutMs: 10 });
});
after(async () => {
  await transport.close();
  await mock.close();
});

/** Test credentials per provider: the conventional fields, SigV4 with the mock's key for Bedrock. */
function credentials(type: ProviderType): Record<string, SecretRef> {
  if (type === 'bedrock') {
    return { access_key_id: literalSecret(MOCK_AWS_CREDENTIALS.accessKeyId), secret_access_key: literalSecret(MOCK_AWS_CREDENTIALS.secretAccessKey) };
  }
  if (type === 'vertex-ai') return { access_token: literalSecret('ya29.test-token') };
  return Object.fromEntries(Object.keys(PROVIDER_DEFAULTS[type].credentialEnv).map((field) => [field, literalSecret(`test-${field}`)]));
}

function target(type: ProviderType, fixture: Fixture | undefined, model: string): TargetContext {
  return {
    providerId: type,
    model: fixture?.target?.model ?? model,
    baseUrl: mockBaseUrl(type, mock.url),
    settings: { ...PROVIDER_DEFAULTS[type].settingDefaults, ...(type === 'vertex-ai' ? { project: 'test-project' } : {}), ...fixture?.target?.settings },
    credentials: credentials(type),
    defaults: {},
    dropParams: false,
  };
}

const context = (model: string): ResponseContext => ({ completionId: 'chatcmpl-fixture', created: 1767225600, model, includeUsage: true });

/** The mock echoes the requested model where the recording had its own: expected values follow it. */
function echoed<T>(value: T, fixture: Fixture, model: string): T {
  const recorded = fixture.recorded_model;
  if (recorded === undefined || recorded === model) return value;
  return JSON.parse(JSON.stringify(value).split(JSON.stringify(recorded)).join(JSON.stringify(model))) as T;
}

function build(type: ProviderType, fixture: Fixture, name: string): { request: NativeRequest; target: TargetContext } {
  const openai = index.request(name);
  assert.ok(openai, `fixtures/requests/${name}.json`);
  const targetContext = target(type, fixture, openai.model);
  const built = getAdapter(type).buildRequest(openai, targetContext);
  assert.ok(built.ok, `buildRequest failed: ${JSON.stringify(built.ok ? '' : built.error.envelope)}`);
  return { request: built.request, target: targetContext };
}

async function send(request: NativeRequest): Promise<{ status: number; headers: Readonly<Record<string, string>>; parts: Uint8Array[] }> {
  const response = await transport.send(request, AbortSignal.timeout(10_000));
  const parts: Uint8Array[] = [];
  for await (const part of response.body) parts.push(part);
  return { status: response.status, headers: response.headers, parts };
}

const text = (parts: readonly Uint8Array[]): string => Buffer.concat(parts).toString('utf8');

function withHeaders(request: NativeRequest, headers: Record<string, string>): NativeRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

/** Removes one required top-level field from a native JSON body. */
function without(request: NativeRequest, field: string): NativeRequest {
  const body = JSON.parse(request.body) as Record<string, unknown>;
  delete body[field];
  return { ...request, body: JSON.stringify(body) };
}

/** The field each API cannot do without (its mock check rejects the request). */
const REQUIRED_FIELD: Readonly<Record<string, string>> = { gemini: 'contents', 'vertex-ai': 'contents', anthropic: 'max_tokens' };

for (const type of PROVIDER_TYPES) {
  const fixtures = index.list(type);
  describe(`${type} round trip`, () => {
    test(`${type} has recorded fixtures to round-trip`, () => {
      assert.ok(fixtures.length > 0, `no fixtures/providers/${type}/*.json`);
    });
    const adapter = getAdapter(type);

    for (const fixture of fixtures.filter((item) => item.openai_request !== undefined && item.expected.error === undefined)) {
      test(`${type}/${fixture.case}: the translated answer equals the fixture's expected one`, async () => {
        const { request, target: targetContext } = build(type, fixture, fixture.openai_request ?? '');
        mock.clearLog();
        const response = await send(request);
        assert.equal(response.status, fixture.response.status, text(response.parts));
        const logged = mock.log()[0];
        assert.ok(logged?.path.endsWith(fixture.request.path), `the adapter called ${logged?.path}, the fixture answers ${fixture.request.path}`);
        if (fixture.expected.chunks !== undefined) {
          const translator = adapter.createStreamTranslator(context(targetContext.model));
          const chunks = response.parts.flatMap((part) => translator.push(part).chunks);
          chunks.push(...translator.end().chunks);
          assert.deepEqual(chunks, echoed(fixture.expected.chunks, fixture, targetContext.model));
        } else {
          const parsed = adapter.parseResponse(response.status, response.headers, text(response.parts), context(targetContext.model));
          assert.ok(parsed.ok, JSON.stringify(parsed.ok ? '' : parsed.error.envelope));
          assert.deepEqual(parsed.completion, echoed(fixture.expected.completion, fixture, targetContext.model));
        }
      });
    }

    for (const fixture of fixtures.filter((item) => item.expected.error !== undefined && index.error(type, item.response.status) === item)) {
      test(`${type}/${fixture.case}: a status=${fixture.response.status} fault comes back as the expected translated error`, async () => {
        const { request } = build(type, fixture, 'chat');
        const response = await send(withHeaders(request, { 'x-aigw-mock-fault': `status=${fixture.response.status}` }));
        assert.equal(response.status, fixture.response.status);
        const translated = adapter.parseError(response.status, response.headers, text(response.parts));
        const expected = fixture.expected.error;
        assert.ok(expected);
        assert.equal(translated.status, expected.status);
        assert.equal(translated.failoverClass, expected.failover_class);
        assert.deepEqual(translated.envelope, expected.envelope);
        assert.equal(translated.retryAfterMs, expected.retry_after_ms);
      });
    }

    test(`${type}: a native request without its required field is rejected in ${type}'s own error shape`, async () => {
      const chatFixture = index.get(type, 'chat');
      const { request } = build(type, chatFixture ?? fixtures[0] as Fixture, 'chat');
      const field = REQUIRED_FIELD[type] ?? 'messages';
      assert.ok(field in (JSON.parse(request.body) as object), `the ${type} body carries ${field}`);
      mock.clearLog();
      const response = await send(without(request, field));
      assert.equal(mock.log()[0]?.outcome, 'rejected-invalid');
      assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
      const translated = adapter.parseError(response.status, response.headers, text(response.parts));
      assert.equal(translated.failoverClass, 'client_error');
      assert.match(translated.envelope.error.message, new RegExp(field), 'the adapter read the message out of the provider\'s error body');
    });

    if (type !== 'ollama' && type !== 'vllm') {
      test(`${type}: a native request without its auth is rejected as ${type} rejects it`, async () => {
        const { request } = build(type, index.get(type, 'chat') ?? fixtures[0] as Fixture, 'chat');
        mock.clearLog();
        const response = await send({ ...request, auth: { kind: 'none' } });
        assert.equal(mock.log()[0]?.outcome, 'rejected-auth');
        const translated = adapter.parseError(response.status, response.headers, text(response.parts));
        assert.equal(translated.failoverClass, 'auth_error', `status ${response.status}: ${JSON.stringify(translated.envelope)}`);
      });
    }
  });
}
