/**
 * The chat-completions request check ships precompiled (ajv standalone code), so `aigw serve` neither
 * loads nor compiles ajv at start (about 80 ms of a ≈ 450 ms start). This test regenerates the module
 * from schemas/chat-completions-request.schema.json, fails when the committed one is stale
 * (AIGW_UPDATE_GOLDEN=1 rewrites it), and checks that it judges a corpus of bodies exactly as ajv
 * compiling the schema at runtime does: every property of valid bodies swapped for values of every
 * JSON type, and the same inside a message, a content part, a tool and a tool call.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequestValidator } from '../../../runtime/server/request-validator.js';
import { validate as precompiled } from '../../../runtime/server/request-validator.generated.js';
import { AigwError } from '../../../runtime/errors.js';
import { assertGeneratedModuleCurrent, standaloneSource } from '../../helpers/standalone-validator.js';
import { packageFilesLoadedAfter, runtimeModuleUrl } from '../../helpers/loaded-packages.js';

const schemaUrl = new URL('../../../schemas/chat-completions-request.schema.json', import.meta.url);
const generatedUrl = new URL('../../../runtime/server/request-validator.generated.ts', import.meta.url);
/** The first error only: the 400 names one parameter. */
const OPTIONS = { allErrors: false, strict: false } as const;

const HEADER = `// @ts-nocheck -- generated JavaScript (ajv standalone code), not written by hand.
/**
 * GENERATED from schemas/chat-completions-request.schema.json by test/unit/server/request-validator.test.ts
 * (AIGW_UPDATE_GOLDEN=1 node scripts/run-tests.mjs request-validator). Do not edit: change the schema.
 * Precompiled so that \`aigw serve\` neither loads nor compiles ajv at startup.
 * @see https://ajv.js.org/standalone.html
 */
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
`;

test('the committed precompiled request validator matches schemas/chat-completions-request.schema.json', () => {
  assertGeneratedModuleCurrent(generatedUrl, standaloneSource({ schemaUrl, header: HEADER, options: OPTIONS }), 'request-validator');
});

const SAMPLES: readonly unknown[] = ['text', '', 0, 1, -1, 0.5, 1e9, true, false, null, [], ['x'], [1], {}, { type: 'text', text: 'x' }];

type Path = readonly (string | number)[];

/** Every path into a JSON value (objects' keys and arrays' indexes), parents before children. */
function* pathsOf(value: unknown, path: Path = []): Generator<Path> {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const here = [...path, Array.isArray(value) ? Number(key) : key];
    yield here;
    yield* pathsOf(child, here);
  }
}

/** A copy of `root` with the value at `path` replaced by `value` (removed when undefined). */
function replaceAt(root: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function corpus(): unknown[] {
  const folder = new URL('../../../fixtures/requests/', import.meta.url);
  const valid = readdirSync(folder).map((name) => JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as unknown);
  valid.push({
    model: 'm', stream: true, stream_options: { include_usage: true }, temperature: 0.2, top_p: 1, max_completion_tokens: 10, stop: ['x'], seed: 1,
    n: 1, presence_penalty: 0, frequency_penalty: 0, logit_bias: { '50256': -100 }, logprobs: true, top_logprobs: 2, user: 'u', parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
    messages: [
      { role: 'developer', content: 'be brief' },
      { role: 'user', content: [
        { type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
        { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }, { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf' } },
        { type: 'file', file: { file_id: 'file-1' } },
      ] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ],
  });
  const bodies: unknown[] = [...valid, null, [], 'x', 1];
  for (const body of valid) {
    for (const path of pathsOf(body)) for (const sample of [...SAMPLES, undefined]) bodies.push(replaceAt(body, path, sample));
  }
  return bodies;
}

test('the precompiled validator judges every body of the corpus exactly as a runtime compile does', () => {
  const compiled = new Ajv2020(OPTIONS).compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
  const check = precompiled as unknown as typeof compiled;
  const summary = (errors: typeof compiled.errors) => (errors ?? []).map((error) => [error.instancePath, error.keyword, JSON.stringify(error.params)]);
  let valid = 0;
  const bodies = corpus();
  for (const body of bodies) {
    const verdict = check(body);
    assert.equal(verdict, compiled(body), JSON.stringify(body));
    assert.deepEqual(summary(check.errors), summary(compiled.errors), JSON.stringify(body));
    if (verdict) valid += 1;
  }
  assert.ok(bodies.length > 500 && valid > 10 && bodies.length - valid > 300, `${bodies.length} bodies, ${valid} valid`);
});

test('a violation is a 400 naming the parameter as OpenAI writes it', () => {
  const validateRequest = createRequestValidator();
  assert.throws(() => validateRequest({ model: 'm', messages: [{ role: 'user', content: 1 }] }), (error: unknown) =>
    error instanceof AigwError && error.status === 400 && /messages\[0\]\.content/.test(error.message));
  assert.throws(() => validateRequest({ messages: [] }), /Missing required parameter: 'model'/);
});

test('the gateway\'s modules load no ajv compiler', () => {
  const loaded = packageFilesLoadedAfter(`await import(${JSON.stringify(runtimeModuleUrl('server/start-gateway.ts'))});`, 'ajv/dist/compile');
  assert.deepEqual(loaded, []);
});
