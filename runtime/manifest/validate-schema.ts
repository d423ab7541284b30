/**
 * Shape validation against schemas/routes.schema.json (the single source of truth for shape,
 * design §2). The validator is compiled once per process; ajv errors become diagnostics with a rule
 * id, a reader's path, a position and, for unknown keys and enum values, a "did you mean".
 * @see https://ajv.js.org/api.html#validation-errors
 */
import type { ErrorObject } from 'ajv';
import { didYouMean } from '../lint/did-you-mean.js';
import type { Diagnostic } from '../lint/diagnostic.js';
import { makeDiagnostic } from '../lint/make-diagnostic.js';
import type { RuleId } from '../lint/registry.js';
import { isSecretPointer } from './document.js';
import { getRoutesValidator } from './routes-validator.js';
import { describePointer, escapePointerToken, type PositionIndex, type PositionPart } from './positions.js';

interface Finding {
  readonly ruleId: RuleId;
  readonly pointer: string;
  readonly part: PositionPart;
  readonly message: string;
  readonly hint?: string;
}

/** Validates the parsed (un-interpolated) document; returns no diagnostics when the shape is right. */
export function validateSchema(document: unknown, positions: PositionIndex, file: string): Diagnostic[] {
  const validate = getRoutesValidator();
  if (validate(document)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const finding = describeError(error);
    if (finding === undefined) continue;
    const key = `${finding.ruleId}|${finding.pointer}|${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(makeDiagnostic(finding.ruleId, file, positions.locate(finding.pointer, finding.part), finding.message,
      { hint: finding.hint }));
  }
  return diagnostics;
}

const KEY_HASH_POINTER = /^\/credentials\/\d+\/key_sha256$/;

function describeError(error: ErrorObject): Finding | undefined {
  const pointer = error.instancePath;
  const where = describePointer(pointer);
  // A secret written with the wrong type (a numeric password, a key YAML read as a number) is still a
  // secret: the message names its type only. So is a key_sha256, which may be the key itself pasted,
  // and a whole document that is one scalar: the wrong file given (`aigw validate .env`).
  const describeValue = pointer === '' || isSecretPointer(pointer) || KEY_HASH_POINTER.test(pointer) ? describeType : describeAnyValue;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as { properties?: Record<string, unknown>; description?: string };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(parent.properties ?? {});
      return {
        ruleId: 'schema/unknown-key',
        pointer: `${pointer}/${escapePointerToken(key)}`,
        part: 'key',
        message: `unknown key "${key}" in ${where}`,
        hint: `${didYouMean(key, allowed)}Allowed keys here: ${allowed.join(', ')}.`,
      };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      return { ruleId: 'schema/required', pointer, part: 'value', message: `${where} is missing the required key "${key}"` };
    }
    case 'type': {
      const expected = Array.isArray(params['type']) ? (params['type'] as string[]).join(' or ') : String(params['type']);
      return {
        ruleId: 'schema/type',
        pointer,
        part: 'value',
        message: `${where} must be ${article(expected)} ${expected}, not ${describeValue(error.data)}`,
      };
    }
    case 'const':
    case 'enum': {
      // 429 is allowed both quoted and unquoted: list each spelling once.
      const allowed = [...new Set((error.keyword === 'const' ? [params['allowedValue']] : params['allowedValues'] as unknown[]).map(String))];
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      return {
        ruleId: 'schema/enum',
        pointer,
        part: 'value',
        message: `${where} must be ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`}, not ${describeValue(error.data)}`,
        hint: `${suggestion}Use ${allowed.length === 1 ? allowed[0] : `one of: ${allowed.join(', ')}`}.`,
      };
    }
    case 'pattern': {
      if (error.propertyName !== undefined) {
        return {
          ruleId: 'schema/format',
          pointer: `${pointer}/${escapePointerToken(error.propertyName)}`,
          part: 'key',
          message: `key "${error.propertyName}" in ${where} is not valid: ${parent.description ?? `must match ${String(params['pattern'])}`}`,
        };
      }
      return { ruleId: 'schema/format', pointer, part: 'value', message: `${where} must match ${String(params['pattern'])}` };
    }
    case 'format':
      return {
        ruleId: 'schema/format',
        pointer,
        part: 'value',
        message: params['format'] === 'regex'
          ? `${where} is not a valid regular expression`
          : `${where} must be a valid ${String(params['format'])}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { ruleId: 'schema/range', pointer, part: 'value', message: `${where} must be ${String(params['comparison'])} ${String(params['limit'])}, not ${describeValue(error.data)}` };
    case 'minLength':
    case 'minItems':
      return {
        ruleId: 'schema/range',
        pointer,
        part: 'value',
        message: params['limit'] === 1 ? `${where} must not be empty` : `${where} must have at least ${String(params['limit'])} ${error.keyword === 'minLength' ? 'characters' : 'items'}`,
      };
    case 'maxLength':
    case 'maxItems':
      return { ruleId: 'schema/range', pointer, part: 'value', message: `${where} must have at most ${String(params['limit'])} ${error.keyword === 'maxLength' ? 'characters' : 'items'}` };
    case 'uniqueItems':
      return { ruleId: 'schema/range', pointer: `${pointer}/${String(params['i'])}`, part: 'value', message: `${where} lists the same value twice (items ${String(params['j'])} and ${String(params['i'])})` };
    // Wrappers whose inner errors say what is wrong.
    case 'if':
    case 'discriminator': // the sink `type` enum beside it reports the bad or missing tag
    case 'oneOf':
    case 'anyOf':
    case 'propertyNames':
      return undefined;
    default:
      return { ruleId: 'schema/type', pointer, part: 'value', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${article(typeof value)} ${typeof value}`;
}

function describeAnyValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
