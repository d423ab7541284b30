/**
 * The chat-completions request body check (schemas/chat-completions-request.schema.json). The schema
 * is precompiled into request-validator.generated.ts (ajv standalone code, regenerated and checked by
 * test/unit/server/request-validator.test.ts): loading ajv and compiling the schema took about 80 ms
 * of every gateway's start. A violation becomes a 400 whose `param` names the offending path the way
 * OpenAI writes it (`messages[0].content`). Before the schema, the body's structure is bounded
 * (find-unsafe-json.ts); after it, the rules that span fields (stream_options needs stream).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { AigwError, ERRORS } from '../errors.js';
import type { ChatCompletionRequest } from '../openai/wire.js';
import { findUnsafeJson, type UnsafeJson } from './find-unsafe-json.js';
import { unsupportedOpenAIShape } from './unsupported-openai-shapes.js';
import { validate as generated } from './request-validator.generated.js';

export type RequestValidator = (body: unknown) => ChatCompletionRequest;

/**
 * The deepest nesting of arrays and objects a body may have (the body itself is level 1). Real
 * requests stay far below: a content part's image_url is level 6, and a tool schema at OpenAI's
 * strict-mode limit of 10 nested objects about 25 (each object level adds `properties` and the
 * property). The recursive code downstream (JSON.stringify of the native body first) overflowed the
 * stack between 3 000 and 5 000 levels. 128 leaves room for hand-written deep schemas and stays some
 * 20 times under the overflow.
 */
export const MAX_BODY_DEPTH = 128;

/** How much of a hostile body's path a message quotes: levels at each end, characters per key. */
const QUOTED_LEVELS = 6;
const MAX_QUOTED_KEY = 40;

export function createRequestValidator(): RequestValidator {
  // The generated module is untyped JavaScript with exactly the shape of an ajv ValidateFunction.
  const validate = generated as unknown as ValidateFunction;
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AigwError(ERRORS.INVALID_REQUEST, 'The request body must be a JSON object.');
    }
    const unsafe = findUnsafeJson(body, MAX_BODY_DEPTH);
    if (unsafe !== undefined) throw unsafeBody(unsafe);
    if (!validate(body)) throw unsupportedOpenAIShape(body) ?? invalidRequest(validate.errors ?? [], body);
    // The schema just checked every field the gateway reads.
    const request = body as ChatCompletionRequest;
    // OpenAI refuses it too (null is "not set" and passes): usage chunks only exist on a stream.
    if (request.stream_options != null && request.stream !== true) {
      throw new AigwError(ERRORS.INVALID_REQUEST, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
    }
    // A choice that asks for a tool call cannot be honoured without tools: OpenAI refuses it, and
    // Gemini and Bedrock would answer in plain text. "auto" and "none" ask nothing and pass.
    const choice = request.tool_choice;
    if (choice !== undefined && choice !== 'auto' && choice !== 'none' && (request.tools == null || request.tools.length === 0)) {
      throw new AigwError(ERRORS.INVALID_REQUEST, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { param: 'tool_choice' });
    }
    return request;
  };
}

function unsafeBody(unsafe: UnsafeJson): AigwError {
  const param = shortParam(unsafe.path);
  if (unsafe.kind === 'too-deep') {
    return new AigwError(ERRORS.INVALID_REQUEST, `The request body nests arrays and objects too deeply at '${param}': at most ${MAX_BODY_DEPTH} levels are accepted.`, { param });
  }
  const key = unsafe.path.at(-1) === '__proto__' ? '__proto__' : 'constructor.prototype';
  const message = `The request body has the key '${key}' at '${param}', which the gateway refuses as a prototype-poisoning guard; rename the key.`;
  return new AigwError(ERRORS.INVALID_REQUEST, message, { param });
}

function invalidRequest(errors: readonly ErrorObject[], body: object): AigwError {
  const error = mostSpecific(errors);
  if (error === undefined) return new AigwError(ERRORS.INVALID_REQUEST, 'Invalid request body.');
  const at = pointerToParam(error.instancePath);
  if (error.keyword === 'required') {
    const missing = missingProperties(errors, error);
    if (missing.length > 1) {
      // An anyOf of required fields (a file part: file_data or file_id): name the object and the choice.
      return new AigwError(ERRORS.INVALID_REQUEST, `Invalid value for ${where(at)}: it needs ${missing.map((name) => `'${name}'`).join(' or ')}.`, { param: nullable(at) });
    }
    const path = joinParam(at, missing[0] ?? '');
    return new AigwError(ERRORS.INVALID_REQUEST, `Missing required parameter: ${where(path)}.`, { param: nullable(path) });
  }
  return new AigwError(ERRORS.INVALID_REQUEST, `Invalid value for ${where(at)}: ${describe(error, body)}.`, { param: nullable(at) });
}

/** How deep the path the message would name lies (a missing property is one below its object). */
function depthOf(error: ErrorObject): number {
  let depth = error.keyword === 'required' ? 1 : 0;
  for (const character of error.instancePath) if (character === '/') depth += 1;
  return depth;
}

/**
 * ajv reports every branch of a failed `oneOf` (user content: a string, or an array of parts) and
 * then the `oneOf` itself. The branch whose error lies deepest is the one the client meant — an array
 * whose part has an unknown type — not the first branch ("must be string"). At the same depth, a
 * branch whose type matched and whose constraint failed (`stop` with five entries: "must NOT have more
 * than 4 items") is meant rather than one of the wrong type; other ties keep ajv's order.
 */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    if (best === undefined || depthOf(error) > depthOf(best)
      || (depthOf(error) === depthOf(best) && best.keyword === 'type' && error.keyword !== 'type')) best = error;
  }
  return best ?? errors[0];
}

/** The property `required` names, or every alternative of the same anyOf. */
function missingProperties(errors: readonly ErrorObject[], chosen: ErrorObject): string[] {
  const name = (error: ErrorObject): string => String((error.params as { missingProperty?: unknown }).missingProperty ?? '');
  const anyOf = chosen.schemaPath.lastIndexOf('/anyOf/');
  if (anyOf === -1) return [name(chosen)];
  const prefix = chosen.schemaPath.slice(0, anyOf + '/anyOf/'.length);
  return errors
    .filter((error) => error.keyword === 'required' && error.instancePath === chosen.instancePath && error.schemaPath.startsWith(prefix))
    .map(name);
}

function describe(error: ErrorObject, body: object): string {
  const params = error.params as { allowedValues?: readonly unknown[]; allowedValue?: unknown; type?: unknown };
  if (error.keyword === 'enum' || error.keyword === 'const') {
    const allowed = (error.keyword === 'enum' ? params.allowedValues ?? [] : [params.allowedValue]).map(quoteValue).join(', ');
    const value = quoteValue(valueAt(body, error.instancePath));
    // A part type the gateway does not know (video, …): say so, rather than point at the content's type.
    if (/\/content\/\d+\/type$/.test(error.instancePath)) return `content part type ${value} is not supported here; supported: ${allowed}`;
    return `${value} is not one of ${allowed}`;
  }
  if (error.keyword === 'type') return `must be ${String(params.type).split(',').join(' or ')}`;
  return error.message ?? 'invalid';
}

/** The value at a JSON pointer into the body (undefined when a step is missing). */
function valueAt(body: object, pointer: string): unknown {
  let node: unknown = body;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Readonly<Record<string, unknown>>)[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

/** A client's value, quoted for a message and cut short (a type can be any JSON). */
function quoteValue(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? 'undefined';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function where(param: string): string {
  return param === '' ? 'the request body' : `'${param}'`;
}

function nullable(param: string): string | null {
  return param === '' ? null : param;
}

function joinParam(parent: string, name: string): string {
  if (name === '') return parent;
  return parent === '' ? name : `${parent}.${name}`;
}

/** `/messages/0/content` → `messages[0].content`. */
function pointerToParam(pointer: string): string {
  return segmentsToParam(pointer.split('/').slice(1).map((raw) => {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    return /^\d+$/.test(segment) ? Number(segment) : segment;
  }));
}

/** `['messages', 0, 'content']` → `messages[0].content`. */
function segmentsToParam(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    out += typeof segment === 'number' ? `[${segment}]` : (out === '' ? segment : `.${segment}`);
  }
  return out;
}

/**
 * A path for a message about a hostile body: keys can be huge and the path 128 levels long, so long
 * keys are cut and only the first and last levels are named (`metadata[0][0][0]…[0][0]`).
 */
function shortParam(segments: readonly (string | number)[]): string {
  const cut = segments.map((segment) => (typeof segment === 'string' && segment.length > MAX_QUOTED_KEY ? `${segment.slice(0, MAX_QUOTED_KEY - 1)}…` : segment));
  if (cut.length <= QUOTED_LEVELS * 2) return segmentsToParam(cut);
  return `${segmentsToParam(cut.slice(0, QUOTED_LEVELS))}…${segmentsToParam(cut.slice(-QUOTED_LEVELS)).replace(/^[^[]/, '.$&')}`;
}
