/**
 * The text-delta chunk read without JSON.parse (content-chunk.ts): it must mean exactly what parsing
 * it gives. Each stream below is translated as sent (compact, as OpenAI writes it: the fast path)
 * and pretty-printed (which the pattern never matches: the parsing path), and the two translations
 * must be equal chunk for chunk, step for step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeString, matchContentChunk } from '../../../runtime/adapters/openai-compatible/content-chunk.js';
import { getAdapter } from '../../../runtime/adapters/registry.js';
import { CONTEXT, runAllSplits, runStream } from './native-adapter-harness.js';

const openai = getAdapter('openai');

/** A chunk as OpenAI lays it out: id, object, created, model, the optional tier and fingerprint, choices, then usage and obfuscation. */
function chunk(delta: Record<string, unknown>, options: { finish?: string | null; id?: string; model?: string; extra?: Record<string, unknown>; tail?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    id: options.id ?? 'chatcmpl-up', object: 'chat.completion.chunk', created: 1_711_357_598, model: options.model ?? 'gpt-4o-mini-2024-07-18',
    ...options.extra,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: options.finish ?? null }],
    ...options.tail,
  };
}

const compact = (events: readonly unknown[]): string => events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('');
const pretty = (events: readonly unknown[]): string => events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event, null, 1).replaceAll('\n', '')}\n\n`).join('');

const TEXTS = ['Hello', ' wörld', '', 'quote " and backslash \\ and slash /', 'line\nbreak\ttab\r\b\f', 'é 漢字 😀', '\u0000\u001f control', 'lone \ud800 surrogate', '</script>'];

const STREAMS: Record<string, readonly unknown[]> = {
  'plain text': [chunk({ role: 'assistant', content: '', refusal: null }), ...TEXTS.map((text) => chunk({ content: text })), chunk({}, { finish: 'stop' }), '[DONE]'],
  'OpenAI today: tier, fingerprint, usage null, obfuscation': [
    chunk({ role: 'assistant', content: '' }, { extra: { service_tier: 'default', system_fingerprint: 'fp_1' }, tail: { usage: null, obfuscation: 'aB3' } }),
    ...TEXTS.map((text) => chunk({ content: text }, { extra: { service_tier: 'default', system_fingerprint: null }, tail: { usage: null, obfuscation: 'x' } })),
    chunk({}, { finish: 'length', tail: { usage: null } }),
    { id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } },
    '[DONE]',
  ],
  'text first, carrying the tier and fingerprint the head relays': [
    chunk({ content: 'first' }, { extra: { service_tier: 'flex', system_fingerprint: 'fp_\\"2' }, tail: { usage: null } }),
    chunk({ content: 'second' }, { extra: { service_tier: 'flex', system_fingerprint: 'fp_\\"2' }, tail: { usage: null } }),
    chunk({}, { finish: 'stop', extra: { service_tier: 'flex', system_fingerprint: 'fp_\\"2' } }),
    '[DONE]',
  ],
  'text first, with a null tier and only a fingerprint': [
    chunk({ content: 'first' }, { extra: { service_tier: null, system_fingerprint: 'fp_3' } }),
    chunk({}, { finish: 'stop', extra: { system_fingerprint: 'fp_3' } }),
    '[DONE]',
  ],
  'text before any role, empty id and model (the context fills them)': [chunk({ content: 'first' }, { id: '', model: '' }), chunk({ content: 'second' }, { id: 'later-id', model: 'later-model' }), chunk({}, { finish: 'stop' }), '[DONE]'],
  'an empty first delta, then text': [chunk({ content: '' }), chunk({ content: 'x' }), chunk({}, { finish: 'stop' }), '[DONE]'],
  'text then tool calls': [
    chunk({ content: 'Let me check.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Oslo"}' } }] }),
    chunk({}, { finish: 'tool_calls' }),
    '[DONE]',
  ],
  'an in-stream error after text': [chunk({ content: 'partial' }), { error: { message: 'overloaded', type: 'server_error', code: 503 } }],
  'text, then the body ends without a finish': [chunk({ content: 'cut' })],
};

describe('the usual text chunk, read without parsing it whole', () => {
  for (const [name, events] of Object.entries(STREAMS)) {
    test(`${name}: the same translation as parsing every chunk`, () => {
      const fast = runAllSplits(openai, CONTEXT, compact(events));
      const parsed = runAllSplits(openai, CONTEXT, pretty(events));
      assert.deepEqual(fast.chunks, parsed.chunks);
      assert.deepEqual(fast.error, parsed.error);
      for (const key of ['done', 'usage', 'malformed', 'firstContentCount', 'rawFinishReason'] as const) assert.deepEqual(fast[key], parsed[key], key);
    });
  }

  test('the pretty-printed reference really takes the parsing path, and the compact one does not parse', () => {
    const text = chunk({ content: 'Hello' });
    assert.equal(matchContentChunk(JSON.stringify(text, null, 1).replaceAll('\n', '')), undefined);
    const original = JSON.parse;
    let calls = 0;
    JSON.parse = ((...args: Parameters<typeof JSON.parse>) => { calls += 1; return original(...args); }) as typeof JSON.parse;
    try {
      const run = runStream(openai, CONTEXT, [new TextEncoder().encode(compact(TEXTS.slice(0, 3).map((content) => chunk({ content }))))]);
      assert.equal(run.chunks.length, 2, 'two non-empty texts');
    } finally {
      JSON.parse = original;
    }
    assert.equal(calls, 0, 'texts without escapes need no JSON.parse at all');
  });

  test('it matches exactly the text-delta layouts, nothing near them', () => {
    const base = JSON.stringify(chunk({ content: 'hi' }));
    assert.deepEqual(matchContentChunk(base), { idLiteral: '"chatcmpl-up"', modelLiteral: '"gpt-4o-mini-2024-07-18"', content: 'hi', serviceTierLiteral: undefined, systemFingerprintLiteral: undefined });
    const headed = JSON.stringify(chunk({ content: 'hi' }, { extra: { service_tier: 'default', system_fingerprint: 'fp_560af6e559' }, tail: { usage: null, obfuscation: 'mZ' } }));
    assert.deepEqual(matchContentChunk(headed), { idLiteral: '"chatcmpl-up"', modelLiteral: '"gpt-4o-mini-2024-07-18"', content: 'hi', serviceTierLiteral: '"default"', systemFingerprintLiteral: '"fp_560af6e559"' });
    const misses: Record<string, string> = {
      'a role in the delta': JSON.stringify(chunk({ role: 'assistant', content: 'hi' })),
      'content null': JSON.stringify(chunk({ content: null })),
      'a finish reason': JSON.stringify(chunk({ content: 'hi' }, { finish: 'stop' })),
      'usage with numbers': JSON.stringify(chunk({ content: 'hi' }, { tail: { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } })),
      'another key': JSON.stringify(chunk({ content: 'hi' }, { tail: { x_groq: { id: 'q' } } })),
      'keys in another order (Azure)': JSON.stringify({ choices: [{ delta: { content: 'hi' }, finish_reason: null, index: 0, logprobs: null }], created: 1, id: 'a', model: 'm', object: 'chat.completion.chunk' }),
      'a second choice index': base.replace('"index":0', '"index":1'),
      'an invalid escape': base.replace('"hi"', String.raw`"h\x"`),
      'a raw control character': base.replace('"hi"', '"h\u0001"'),
      'an unterminated string': base.replace('"hi"}', '"hi}'),
      'a fractional created': base.replace(/"created":\d+/, '"created":1.5'),
      'trailing text': `${base} `,
    };
    for (const [name, text] of Object.entries(misses)) assert.equal(matchContentChunk(text), undefined, name);
  });

  test('string literals decode as JSON.parse decodes them', () => {
    for (const text of TEXTS) assert.equal(decodeString(JSON.stringify(text)), text);
  });
});
