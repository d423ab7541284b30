/**
 * The manifest schema validator ships precompiled (ajv standalone code), so `aigw validate` starts
 * without loading or compiling ajv. This test regenerates it from schemas/routes.schema.json and
 * fails when the committed module is stale (AIGW_UPDATE_GOLDEN=1 rewrites it), and checks that the
 * precompiled validator reports exactly what a freshly compiled one does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { _ } from 'ajv/dist/compile/codegen/index.js';
import formatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { getRoutesValidator } from '../../../runtime/manifest/routes-validator.js';
import { assertGeneratedModuleCurrent, standaloneSource } from '../../helpers/standalone-validator.js';

const schemaUrl = new URL('../../../schemas/routes.schema.json', import.meta.url);
const generatedUrl = new URL('../../../runtime/manifest/routes-validator.generated.ts', import.meta.url);
/** The options the runtime relies on: every error, each with its schema (allowed keys for hints). */
const OPTIONS = { allErrors: true, verbose: true, strict: true, discriminator: true } as const;

const HEADER = `// @ts-nocheck -- generated JavaScript (ajv standalone code), not written by hand.
/**
 * GENERATED from schemas/routes.schema.json by test/unit/manifest/routes-validator.test.ts
 * (AIGW_UPDATE_GOLDEN=1 node scripts/run-tests.mjs routes-validator). Do not edit: change the schema.
 * Precompiled so that \`aigw validate\` neither loads nor compiles ajv at startup.
 * @see https://ajv.js.org/standalone.html
 */
import equalModule from 'ajv/dist/runtime/equal.js';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';

const regexFormats = { regex: fullFormats.regex };
`;

test('the committed precompiled validator matches schemas/routes.schema.json', () => {
  const expected = standaloneSource({
    schemaUrl, header: HEADER,
    options: { ...OPTIONS, code: { formats: _`regexFormats` } },
    setup: (ajv) => formatsModule.default(ajv, ['regex']),
  });
  assertGeneratedModuleCurrent(generatedUrl, expected, 'routes-validator');
});

test('the precompiled validator reports exactly what ajv compiled at runtime reports, on every corpus file', () => {
  const ajv = new Ajv2020(OPTIONS);
  formatsModule.default(ajv, ['regex']);
  const compiled = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
  const precompiled = getRoutesValidator();
  const summary = (errors: typeof compiled.errors) =>
    (errors ?? []).map((error) => [error.instancePath, error.keyword, JSON.stringify(error.params), error.propertyName ?? '']);
  let checked = 0;
  for (const directory of ['good', 'bad']) {
    const folder = new URL(`../../manifests/${directory}/`, import.meta.url);
    for (const name of readdirSync(folder).filter((file) => file.endsWith('.yaml'))) {
      let document: unknown;
      try {
        document = parse(readFileSync(new URL(name, folder), 'utf8'), { maxAliasCount: 100 });
      } catch {
        continue; // not YAML: the schema never sees it
      }
      assert.equal(precompiled(document), compiled(document), name);
      assert.deepEqual(summary(precompiled.errors), summary(compiled.errors), name);
      checked += 1;
    }
  }
  assert.ok(checked > 40, `${checked} documents compared`);
});
