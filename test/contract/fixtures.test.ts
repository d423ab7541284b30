/**
 * Every fixture file validates against schemas/fixture.schema.json (ajv, JSON Schema 2020-12), sits
 * where its provider and case say, and names a canonical OpenAI request that exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';

const root = new URL('../../', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'fixture.schema.json'), 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
const providersDirectory = join(root, 'fixtures', 'providers');

interface FixtureHead {
  readonly provider: string;
  readonly case: string;
  readonly openai_request?: string;
  readonly response: { readonly stream?: { readonly framing: string; readonly chunks: readonly { readonly data?: string }[] } };
}

test('the schema compiles', () => {
  assert.equal(typeof validate, 'function');
});

for (const provider of readdirSync(providersDirectory).sort()) {
  describe(`fixtures/providers/${provider}`, () => {
    for (const file of readdirSync(join(providersDirectory, provider)).filter((name) => name.endsWith('.json')).sort()) {
      test(`${file} validates and is filed under its provider and case`, () => {
        const value = JSON.parse(readFileSync(join(providersDirectory, provider, file), 'utf8')) as FixtureHead;
        const valid = validate(value);
        assert.ok(valid, JSON.stringify(validate.errors, null, 2));
        assert.equal(value.provider, provider, 'provider equals the folder name');
        assert.equal(`${value.case}.json`, file, 'case equals the file name');
        if (value.openai_request !== undefined) {
          assert.ok(existsSync(join(root, 'fixtures', 'requests', `${value.openai_request}.json`)), `fixtures/requests/${value.openai_request}.json exists`);
        }
        const stream = value.response.stream;
        if (stream?.framing === 'sse') {
          for (const chunk of stream.chunks) assert.match(chunk.data ?? '', /(\r\n|\r|\n){2}$/, 'every SSE chunk ends its event with a blank line');
        }
      });
    }
  });
}
