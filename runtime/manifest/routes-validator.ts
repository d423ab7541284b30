/**
 * The schemas/routes.schema.json validator. It is precompiled into routes-validator.generated.ts
 * (ajv standalone code, regenerated and checked by test/unit/manifest/routes-validator.test.ts), so
 * neither ajv nor the schema compile is on the `aigw validate` startup path.
 */
import type { ValidateFunction } from 'ajv';
import { validate } from './routes-validator.generated.js';
import { packagePath } from '../package-root.js';

/** Where the JSON schema lives (for editors and for serving it). */
export function routesSchemaPath(): string {
  return packagePath('schemas', 'routes.schema.json');
}

export function getRoutesValidator(): ValidateFunction {
  // The generated module is untyped JavaScript; it has exactly the shape of an ajv ValidateFunction.
  return validate as unknown as ValidateFunction;
}
