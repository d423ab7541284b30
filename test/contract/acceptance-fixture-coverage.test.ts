/**
 * Issue 4 item 4: every one of the 17 provider ids has at least the recorded cases the issue names —
 * chat, chat stream, tool call, tool call stream, 400, 401, 429 and a 500 or 503 (Anthropic also its
 * 529 overloaded). The fixtures test validates what exists; this one fails when a case is missing.
 * The one exemption is a provider without function calling (Perplexity): its tool-call fixtures cannot
 * exist, and the test proves the exemption by the adapter refusing tools with a 400.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROVIDER_TYPES, type ProviderType } from '../../runtime/adapters/contract.js';
import { getAdapter } from '../../runtime/adapters/registry.js';
import type { ChatCompletionRequest } from '../../runtime/openai/wire.js';
import { makeTarget } from '../unit/adapters/native-adapter-harness.js';

const root = new URL('../../', import.meta.url).pathname;
const providers = join(root, 'fixtures', 'providers');

/** Providers that have no function calling at all; checked below, never assumed. */
const NO_TOOLS: ReadonlySet<ProviderType> = new Set(['perplexity']);
/**
 * AWS answers a bad or unknown credential with 403 (UnrecognizedClientException, signature mismatch),
 * never 401: for Bedrock the recorded auth rejection is a 403 whose class is auth_error.
 */
const AUTH_REJECTION_STATUS: Partial<Record<ProviderType, number>> = { bedrock: 403 };

interface FixtureHead {
  readonly provider: string;
  readonly case: string;
  readonly expected: { readonly error?: { readonly failover_class: string } };
  readonly response: { readonly status: number; readonly stream?: { readonly chunks: readonly { readonly at_ms?: number }[] } };
}

function fixture(provider: string, name: string): FixtureHead | undefined {
  const path = join(providers, provider, `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as FixtureHead : undefined;
}

test('the 17 provider ids of design §4 all have a fixture folder', () => {
  assert.equal(PROVIDER_TYPES.length, 17);
  for (const provider of PROVIDER_TYPES) assert.ok(existsSync(join(providers, provider)), `fixtures/providers/${provider}`);
});

for (const provider of PROVIDER_TYPES) {
  test(`${provider}: chat, stream, tool call(s), 400, the auth rejection, 429 and a 5xx are recorded`, () => {
    const authStatus = AUTH_REJECTION_STATUS[provider] ?? 401;
    const required = ['chat', 'chat-stream', ...(NO_TOOLS.has(provider) ? [] : ['tool-call', 'tool-call-stream']), 'error-400', `error-${authStatus}`, 'error-429'];
    if (provider === 'anthropic') required.push('error-529');
    for (const name of required) {
      const found = fixture(provider, name);
      assert.ok(found, `fixtures/providers/${provider}/${name}.json is missing`);
      if (name.startsWith('error-')) assert.equal(found.response.status, Number(name.slice('error-'.length)), `${name} records its status`);
    }
    assert.equal(fixture(provider, `error-${authStatus}`)?.expected.error?.failover_class, 'auth_error', 'the auth rejection is classed auth_error');
    const fivexx = [fixture(provider, 'error-500'), fixture(provider, 'error-503')].filter((entry) => entry !== undefined);
    assert.ok(fivexx.length > 0, `${provider} has an error-500 or error-503 fixture`);
    for (const stream of ['chat-stream', ...(NO_TOOLS.has(provider) ? [] : ['tool-call-stream'])]) {
      const chunks = fixture(provider, stream)?.response.stream?.chunks ?? [];
      // Gemini sends a function call whole, in one event; a chat stream always has several.
      assert.ok(chunks.length > (stream === 'chat-stream' ? 1 : 0), `${stream} records its chunks`);
      assert.ok(chunks.every((chunk) => typeof chunk.at_ms === 'number'), `${stream}: every chunk has its time offset`);
      const offsets = chunks.map((chunk) => chunk.at_ms ?? 0);
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `${stream}: offsets never go back in time`);
    }
  });
}

test('the tool-call exemption is real: a provider without tool fixtures refuses tools with a 400 naming it', () => {
  const request: ChatCompletionRequest = JSON.parse(readFileSync(join(root, 'fixtures', 'requests', 'tool-call.json'), 'utf8')) as ChatCompletionRequest;
  for (const provider of NO_TOOLS) {
    const built = getAdapter(provider).buildRequest(request, makeTarget(provider, 'sonar', 'https://provider.test', {}));
    assert.ok(!built.ok, `${provider} accepted tools, so it needs tool-call fixtures`);
    assert.equal(built.error.status, 400);
    assert.equal(built.error.envelope.error.code, 'unsupported_parameter');
    assert.match(built.error.envelope.error.message, new RegExp(provider));
  }
});
