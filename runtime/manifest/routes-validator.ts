/**
 * The compiled schemas/routes.schema.json validator, created once per process on first use (the
 * only module-level state here: a cache, style §B).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import { packagePath } from '../package-root.js';

let cached: ValidateFunction | undefined;

export function routesSchemaPath(): string {
  return packagePath('schemas', 'routes.schema.json');
}

export function getRoutesValidator(): ValidateFunction {
  if (cached !== undefined) return cached;
  const schema = JSON.parse(readFileSync(routesSchemaPath(), 'utf8')) as object;
  // allErrors: report every problem in one run; verbose: errors carry their schema (allowed keys for hints).
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, discriminator: true });
  // ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
  formatsModule.default(ajv, ['regex']);
  cached = ajv.compile(schema);
  return cached;
}
