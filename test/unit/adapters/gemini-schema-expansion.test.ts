/**
 * Gemini has no schema references, so the adapter inlines `$ref`s. A few hundred bytes of `$defs` that
 * reference each other twice per level expand exponentially: inlining them must be bounded, or one
 * small request blocks the gateway's event loop for seconds (and, a few levels deeper, for ever or until
 * the process runs out of memory).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiAdapter } from '../../../runtime/adapters/gemini/index.js';
import { buildError, builtBody, chatRequest, makeTarget } from './native-adapter-harness.js';

const target = makeTarget('gemini', 'gemini-2.5-flash', 'https://generativelanguage.googleapis.com');

/** `levels` definitions, each an object with two properties that both reference the next one. */
function doublingSchema(levels: number): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (let level = 0; level < levels; level += 1) {
    const next = { $ref: `#/$defs/d${level + 1}` };
    defs[`d${level}`] = { type: 'object', properties: { a: next, b: next } };
  }
  defs[`d${levels}`] = { type: 'string' };
  return { type: 'object', properties: { root: { $ref: '#/$defs/d0' } }, $defs: defs };
}

const withTool = (parameters: Record<string, unknown>) => chatRequest({ tools: [{ type: 'function', function: { name: 'f', parameters } }] });

describe('gemini: inlining $refs is bounded', () => {
  test('a schema whose references double at each level is a 400 naming it, at once', () => {
    // 2^20 paths: unbounded, this took about 3 s and built a 60 MB body (30 levels: out of memory).
    const started = performance.now();
    const error = buildError(geminiAdapter.buildRequest(withTool(doublingSchema(20)), target));
    assert.ok(performance.now() - started < 1000, 'refused without expanding');
    assert.equal(error.status, 400);
    assert.equal(error.envelope.error.param, 'tools[0].function.parameters');
    assert.match(error.envelope.error.message, /too large once its \$refs are inlined/);
  });

  test('a recursive reference is refused where it first recurs, not after 32 expansions (2^32 for a binary tree)', () => {
    // A single chain: unbounded, this failed only 32 levels down (the binary tree below never finished).
    const list = { type: 'object', properties: { head: { $ref: '#/$defs/Node' } }, $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } };
    const error = buildError(geminiAdapter.buildRequest(withTool(list), target));
    assert.match(error.envelope.error.message, /recursive reference '#\/\$defs\/Node'/);
    assert.equal(error.envelope.error.param, 'tools[0].function.parameters.properties.head.properties.next.$ref');
    const tree = { type: 'object', properties: { root: { $ref: '#/$defs/Node' } }, $defs: { Node: { type: 'object', properties: { left: { $ref: '#/$defs/Node' }, right: { $ref: '#/$defs/Node' } } } } };
    assert.equal(buildError(geminiAdapter.buildRequest(withTool(tree), target)).envelope.error.param, 'tools[0].function.parameters.properties.root.properties.left.$ref');
  });

  test('a definition referenced many times, without blowing up, is still inlined everywhere', () => {
    const place = { type: 'object', properties: { city: { type: 'string' } } };
    const properties = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`p${index}`, { $ref: '#/$defs/Place' }]));
    const body = builtBody(geminiAdapter.buildRequest(withTool({ type: 'object', properties, $defs: { Place: place } }), target));
    const declaration = (body['tools'] as { functionDeclarations: { parameters: { properties: Record<string, unknown> } }[] }[])[0]?.functionDeclarations[0];
    assert.equal(Object.keys(declaration?.parameters.properties ?? {}).length, 50);
    assert.deepEqual(declaration?.parameters.properties['p49'], place);
  });

  test('a moderate diamond of references (2^8 paths) is inlined', () => {
    const body = builtBody(geminiAdapter.buildRequest(withTool(doublingSchema(8)), target));
    assert.ok(JSON.stringify(body['tools']).length > 10_000);
  });
});

describe('gemini: the inlining budget is the request\'s, not each schema\'s', () => {
  test('many tools each under the bound, together far over it, are a 400 at once (400 tools of 1.2 KB built a 97 MB body)', () => {
    // ≈ 8 200 inlined nodes per tool: each alone fits the 10 000, 400 of them do not.
    const tools = Array.from({ length: 400 }, (_, index) => ({ type: 'function' as const, function: { name: `f${index}`, parameters: doublingSchema(12) } }));
    const started = performance.now();
    const error = buildError(geminiAdapter.buildRequest(chatRequest({ tools }), target));
    assert.ok(performance.now() - started < 1000, 'refused without expanding every tool');
    assert.equal(error.status, 400);
    assert.match(error.envelope.error.param ?? '', /^tools\[\d+\]\.function\.parameters$/);
    assert.match(error.envelope.error.message, /too large once its \$refs are inlined/);
  });

  test('tools and response_format draw on one budget', () => {
    // ≈ 4 100 inlined nodes each: two fit in the request's 10 000, a third does not.
    const tools = [0, 1].map((index) => ({ type: 'function' as const, function: { name: `f${index}`, parameters: doublingSchema(11) } }));
    const request = chatRequest({ tools, response_format: { type: 'json_schema', json_schema: { name: 'out', schema: doublingSchema(11) } } });
    assert.equal(buildError(geminiAdapter.buildRequest(request, target)).envelope.error.param, 'response_format.json_schema.schema');
    assert.ok(builtBody(geminiAdapter.buildRequest(chatRequest({ tools }), target))['tools'], 'the two tools alone fit');
  });
});
