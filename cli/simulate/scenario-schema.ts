/**
 * Scenario shape checks against schemas/scenario.schema.json, reported like manifest diagnostics:
 * file:line:col, the same `schema/*` rule ids, a hint ("did you mean …" for a misspelt key). The
 * validator is compiled once per process (the only module-level state: a cache, style §B).
 * @see https://ajv.js.org/api.html#validation-errors
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { didYouMean } from '../../runtime/lint/did-you-mean.js';
import type { Diagnostic } from '../../runtime/lint/diagnostic.js';
import { makeDiagnostic } from '../../runtime/lint/make-diagnostic.js';
import { describePointer, escapePointerToken, type PositionIndex } from '../../runtime/manifest/positions.js';
import { packagePath } from '../../runtime/package-root.js';

let compiled: ValidateFunction | undefined;

function scenarioValidator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(packagePath('schemas', 'scenario.schema.json'), 'utf8')) as object;
    compiled = new Ajv2020({ allErrors: true, verbose: true, strict: true }).compile(schema);
  }
  return compiled;
}

export function validateScenarioShape(document: unknown, positions: PositionIndex, file: string): Diagnostic[] {
  const validate = scenarioValidator();
  if (validate(document)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const diagnostic = describe(error, positions, file);
    if (diagnostic === undefined) continue;
    const key = `${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function describe(error: ErrorObject, positions: PositionIndex, file: string): Diagnostic | undefined {
  const pointer = error.instancePath;
  // describePointer names the root "the manifest"; here it is the scenario.
  const where = pointer === '' ? 'the scenario' : describePointer(pointer);
  const params = error.params as Record<string, unknown>;
  const at = (path: string, part: 'key' | 'value' = 'value') => positions.locate(path, part);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return makeDiagnostic('schema/unknown-key', file, at(`${pointer}/${escapePointerToken(key)}`, 'key'), `unknown key "${key}" in ${where}`,
        { hint: `${didYouMean(key, allowed)}Allowed keys here: ${allowed.join(', ')}.` });
    }
    case 'required':
      return makeDiagnostic('schema/required', file, at(pointer), `${where} is missing the required key "${String(params['missingProperty'])}"`);
    case 'type':
      return makeDiagnostic('schema/type', file, at(pointer), `${where} must be ${String(params['type'])}, not ${JSON.stringify(error.data) ?? 'null'}`);
    case 'enum':
      return makeDiagnostic('schema/enum', file, at(pointer), `${where} must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`);
    case 'pattern':
      if (error.propertyName !== undefined) {
        return makeDiagnostic('schema/format', file, at(`${pointer}/${escapePointerToken(error.propertyName)}`, 'key'), `key "${error.propertyName}" in ${where} must match ${String(params['pattern'])}`);
      }
      return makeDiagnostic('schema/format', file, at(pointer), `${where} must match ${String(params['pattern'])}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return makeDiagnostic('schema/range', file, at(pointer), `${where} must be ${String(params['comparison'])} ${String(params['limit'])}, not ${JSON.stringify(error.data)}`);
    case 'minLength':
    case 'minProperties':
      return makeDiagnostic('schema/range', file, at(pointer), `${where} must not be empty`);
    case 'propertyNames':
      return undefined; // the inner `pattern` error names the key
    default:
      return makeDiagnostic('schema/type', file, at(pointer), `${where} ${error.message ?? 'is invalid'}`);
  }
}
