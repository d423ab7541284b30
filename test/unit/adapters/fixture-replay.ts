/**
 * Replays a provider's fixture files through its adapter (gemini, vertex-ai, bedrock tests): the golden
 * native request for the canonical OpenAI request, then the recorded answer → the expected OpenAI
 * completion, chunk sequence (from every byte split) or translated error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProviderAdapter, ResponseContext, TargetContext } from '../../../runtime/adapters/contract.js';
import { byteSplits } from '../../helpers/byte-splits.js';
import {
  canonicalRequest, errorShape, fixtureBodyText, fixtureStreamText, providerFixtures, runAllSplits, runStream, type ProviderFixture, type StreamRun,
} from './native-adapter-harness.js';

export interface ReplayOptions {
  readonly adapter: ProviderAdapter;
  readonly provider: string;
  /** The base URL the fixture paths are relative to. */
  readonly baseUrl: string;
  readonly target: (fixture: ProviderFixture) => TargetContext;
  /** The stream's checks when its bytes are not SSE text (Bedrock's binary frames). */
  readonly checkStream?: (fixture: ProviderFixture, context: typeof FIXTURE_CONTEXT) => void;
}

export const FIXTURE_CONTEXT = { completionId: 'chatcmpl-fixture', created: 1767225600, model: '', includeUsage: true };

export function replayFixtures(options: ReplayOptions): void {
  const { adapter } = options;
  for (const fixture of providerFixtures(options.provider)) {
    test(`${fixture.case}: the adapter reproduces the recorded exchange`, () => {
      const context = { ...FIXTURE_CONTEXT, model: fixture.target?.model ?? '' };
      if (fixture.openai_request !== undefined) {
        const built = adapter.buildRequest(canonicalRequest(fixture.openai_request), options.target(fixture));
        assert.ok(built.ok);
        assert.equal(built.request.url, options.baseUrl + fixture.request.path);
        assert.deepEqual(built.request.headers, fixture.request.headers ?? {});
        assert.deepEqual(JSON.parse(built.request.body), fixture.request.body);
      }
      if (fixture.expected.error !== undefined) {
        assert.deepEqual(errorShape(adapter.parseError(fixture.response.status, fixture.response.headers, fixtureBodyText(fixture))), fixture.expected.error);
      } else if (fixture.expected.chunks !== undefined) {
        if (options.checkStream !== undefined) options.checkStream(fixture, context);
        else assert.deepEqual(runAllSplits(adapter, context, fixtureStreamText(fixture)).chunks, fixture.expected.chunks);
      } else {
        const parsed = adapter.parseResponse(fixture.response.status, fixture.response.headers, fixtureBodyText(fixture), context);
        assert.ok(parsed.ok);
        assert.deepEqual(parsed.completion, fixture.expected.completion);
      }
    });
  }
}

/** Binary streams (Bedrock frames): whole, one byte at a time and at random cuts must all agree. */
export function runAllByteSplits(adapter: ProviderAdapter, context: ResponseContext, bytes: Uint8Array): StreamRun {
  const runs = byteSplits(bytes).map((splitting) => ({ name: splitting.name, run: runStream(adapter, context, splitting.parts) }));
  const [first, ...rest] = runs;
  assert.ok(first !== undefined);
  for (const other of rest) {
    const { steps: _steps, firstContentStep: _step, ...comparable } = other.run;
    const { steps: _firstSteps, firstContentStep: _firstStep, ...expected } = first.run;
    assert.deepEqual(comparable, expected, `${other.name} differs from ${first.name}`);
  }
  return first.run;
}
