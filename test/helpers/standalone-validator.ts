/**
 * ajv standalone code for a JSON schema, as the runtime's precompiled validators ship it: an ES
 * module whose runtime helpers are imported, not required. The tests that own each generated module
 * (routes-validator, request-validator) regenerate it with this and fail when the committed file is
 * stale (AIGW_UPDATE_GOLDEN=1 rewrites it).
 * @see https://ajv.js.org/standalone.html
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';

export interface StandaloneSpec {
  readonly schemaUrl: URL;
  readonly options: Options;
  /** Everything before the code: the GENERATED comment, the helper imports, any constant the code names. */
  readonly header: string;
  /** Adds formats (or keywords) to the compiling instance. */
  readonly setup?: (ajv: Ajv2020) => void;
}

export function standaloneSource(spec: StandaloneSpec): string {
  const schema = JSON.parse(readFileSync(spec.schemaUrl, 'utf8')) as object;
  const ajv = new Ajv2020({ ...spec.options, code: { ...spec.options.code, source: true, esm: true } });
  spec.setup?.(ajv);
  const source = standaloneModule.default(ajv, ajv.compile(schema))
    .replace('"use strict";', '')
    .replace(/export default validate\d+;/, '')
    .replace('require("ajv/dist/runtime/equal").default', 'equalModule.default')
    .replace('require("ajv/dist/runtime/ucs2length").default', 'ucs2lengthModule.default');
  assert.doesNotMatch(source, /require\(/, 'every runtime helper is imported');
  return `${spec.header}\n${source}\n`;
}

/** Checks the committed module against a fresh generation (and writes it under AIGW_UPDATE_GOLDEN=1). */
export function assertGeneratedModuleCurrent(generatedUrl: URL, expected: string, testName: string): void {
  if (process.env['AIGW_UPDATE_GOLDEN'] === '1' || !existsSync(generatedUrl)) writeFileSync(generatedUrl, expected);
  assert.equal(readFileSync(generatedUrl, 'utf8'), expected, `stale: run AIGW_UPDATE_GOLDEN=1 node scripts/run-tests.mjs ${testName}`);
}
