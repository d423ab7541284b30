/**
 * JSON Schema (as OpenAI tools and `response_format.json_schema` carry it) → what Gemini takes: the
 * OpenAPI 3.0 subset `Schema` of `functionDeclarations[].parameters` and `generationConfig.responseSchema`,
 * or, when that subset cannot express the schema, the JSON Schema itself for `parametersJsonSchema` /
 * `responseJsonSchema`. `Schema` stays the default because every Gemini and Vertex model takes it (the
 * JSON Schema fields are newer); Vertex AI v1 has both JSON Schema fields too
 * (google.cloud.aiplatform.v1 FunctionDeclaration.parameters_json_schema, GenerationConfig.response_json_schema).
 *
 * Policy (documented in the README's provider notes):
 * - kept: the keywords Gemini's Schema has (type, format for the formats it knows, title, description,
 *   nullable, enum of strings, properties, required, items, anyOf, min/max bounds, pattern, default,
 *   example, propertyOrdering);
 * - rewritten: `type: [T, "null"]` and a `{type:"null"}` branch → `nullable: true`; `oneOf` → `anyOf`;
 *   `const` → a one-value `enum`; a one-element `allOf` is merged; local `$ref`s (`#/$defs/…`,
 *   `#/definitions/…`) are inlined (Gemini has no references): a recursive reference is rejected, and
 *   so is a schema that inlining would grow past MAX_INLINED_NODES (references that double at each
 *   level grow exponentially: a few hundred bytes would block the event loop and exhaust memory);
 * - stripped: annotations and constraints Gemini would reject but whose loss only widens what the model
 *   may produce (`additionalProperties`, `$schema`, `$id`, `$comment`, `examples`, `uniqueItems`, …);
 * - sent as JSON Schema: a schema whose converted form would hold a node `Schema` cannot express and
 *   Gemini rejects with a 400 (an object without properties below the root, i.e. a free-form object or
 *   a map via `additionalProperties`; an array without `items`; a map at the root). The original goes
 *   unchanged, so `additionalProperties` keeps its meaning (Google lists the keywords those fields honour;
 *   a stripped one they ignore only widens, as above). It must still pass the conversion first, so the
 *   keyword policy is the same on both paths;
 * - anything else (`not`, `if`/`then`/`else`, `patternProperties`, tuple `items`, numeric enums, …) is a
 *   400 naming the keyword's path, never silently dropped.
 * @see https://ai.google.dev/api/caching#Schema
 * @see https://ai.google.dev/api/caching#FunctionDeclaration
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 */
import { isRecord } from '../json-value.js';
import { ownValue } from '../../own-value.js';

/** Which field the schema goes to: `parameters`/`responseSchema`, or `parametersJsonSchema`/`responseJsonSchema`. */
export type GeminiSchema =
  | { readonly type: 'schema'; readonly schema: Readonly<Record<string, unknown>> }
  | { readonly type: 'json-schema'; readonly schema: Readonly<Record<string, unknown>> };

export type SchemaResult =
  | { readonly ok: true; readonly schema: GeminiSchema | undefined }
  | { readonly ok: false; readonly param: string; readonly reason: string };

/** Copied as they are. */
const KEPT = new Set([
  'title', 'description', 'nullable', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
  'minItems', 'maxItems', 'minProperties', 'maxProperties', 'default', 'example', 'propertyOrdering',
]);

/** Dropped: annotations, or constraints whose absence only widens the accepted output. */
const STRIPPED = new Set([
  '$schema', '$id', '$comment', '$anchor', '$defs', 'definitions', 'additionalProperties', 'unevaluatedProperties',
  'examples', 'strict', 'deprecated', 'readOnly', 'writeOnly', 'uniqueItems', 'contentMediaType', 'contentEncoding',
]);

/** `format` values Gemini accepts, per type; other formats are annotations and are dropped. */
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  string: ['enum', 'date-time'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
};

/** Deepest chain of distinct `$ref`s followed (a recursive one is refused where it recurs). */
const MAX_REF_DEPTH = 32;

/**
 * Schema nodes that inlining `$ref`s may add in one request, over all its tools and its
 * response_format: real schemas stay far below. A budget per schema would let a request of many small
 * tools, each just under it, build hundreds of megabytes (400 tools of 1.2 KB: 97 MB, 5 s).
 */
export const MAX_INLINED_NODES = 10_000;

/** The inlining budget of one request: make one per request and pass it to every toGeminiSchema. */
export interface InliningBudget {
  nodes: number;
}

export const newInliningBudget = (): InliningBudget => ({ nodes: 0 });

class SchemaError extends Error {
  constructor(readonly param: string, readonly reason: string) {
    super(reason);
  }
}

/**
 * Converts `schema`; `param` names it in errors (e.g. `tools[0].function.parameters`). An object schema
 * without properties (and not a map) converts to undefined: Gemini rejects an empty OBJECT, and no
 * parameters means the same.
 */
export function toGeminiSchema(schema: Readonly<Record<string, unknown>>, param: string, budget: InliningBudget = newInliningBudget()): SchemaResult {
  try {
    const converted = convert(schema, { root: schema, path: param, references: [], inlined: budget, rootParam: param });
    if (Object.keys(converted).length === 0) return { ok: true, schema: undefined };
    if (isObjectWithoutProperties(converted)) {
      return { ok: true, schema: isMap(schema) ? { type: 'json-schema', schema } : undefined };
    }
    return { ok: true, schema: hasInexpressibleNode(converted) ? { type: 'json-schema', schema } : { type: 'schema', schema: converted } };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, param: error.param, reason: error.reason };
    throw error;
  }
}

function isObjectWithoutProperties(node: Readonly<Record<string, unknown>>): boolean {
  const properties = node['properties'];
  return node['type'] === 'object' && (!isRecord(properties) || Object.keys(properties).length === 0);
}

/** `additionalProperties` with a schema (or `true`): a map, whose keys `Schema` cannot leave open. */
function isMap(schema: Readonly<Record<string, unknown>>): boolean {
  const additional = schema['additionalProperties'];
  return additional === true || isRecord(additional);
}

/**
 * True when a converted node Gemini rejects sits below the root: an OBJECT without properties ("should
 * be non-empty for OBJECT type") or an ARRAY without items ("items: missing field").
 */
function hasInexpressibleNode(node: Readonly<Record<string, unknown>>): boolean {
  if (node['type'] === 'array' && !isRecord(node['items'])) return true;
  const children: unknown[] = [
    ...(isRecord(node['properties']) ? Object.values(node['properties']) : []),
    ...(Array.isArray(node['anyOf']) ? node['anyOf'] : []),
    node['items'],
  ];
  return children.some((child) => isRecord(child) && (isObjectWithoutProperties(child) || hasInexpressibleNode(child)));
}

interface Context {
  readonly root: Readonly<Record<string, unknown>>;
  readonly path: string;
  /** The references being inlined around this node, outermost first. */
  readonly references: readonly string[];
  /** Shared by the whole request: nodes converted inside inlined references so far. */
  readonly inlined: InliningBudget;
  /** The schema being converted, as errors name it. */
  readonly rootParam: string;
}

function convert(schema: Readonly<Record<string, unknown>>, context: Context): Record<string, unknown> {
  if (typeof schema['$ref'] === 'string') return convertReference(schema, context);
  if (context.references.length > 0 && ++context.inlined.nodes > MAX_INLINED_NODES) {
    throw new SchemaError(context.rootParam, `the schema is too large once its $refs are inlined (the request's schemas over ${MAX_INLINED_NODES} schema nodes in all; Gemini has no references)`);
  }
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    const path = `${context.path}.${keyword}`;
    if (KEPT.has(keyword)) out[keyword] = value;
    else if (STRIPPED.has(keyword)) continue;
    else if (keyword === 'type') Object.assign(out, convertType(value, path));
    else if (keyword === 'format') Object.assign(out, convertFormat(schema['type'], value));
    else if (keyword === 'enum') Object.assign(out, convertEnum(value, path));
    else if (keyword === 'const') Object.assign(out, convertEnum([value], path));
    else if (keyword === 'properties') out['properties'] = convertProperties(value, { ...context, path });
    else if (keyword === 'items') out['items'] = convertChild(value, { ...context, path });
    else if (keyword === 'anyOf' || keyword === 'oneOf') Object.assign(out, convertUnion(value, { ...context, path }));
    else if (keyword === 'allOf') Object.assign(out, convertAllOf(value, { ...context, path }));
    else throw new SchemaError(path, `the JSON Schema keyword '${keyword}' has no Gemini equivalent`);
  }
  return out;
}

function convertReference(schema: Readonly<Record<string, unknown>>, context: Context): Record<string, unknown> {
  const reference = String(schema['$ref']);
  const path = `${context.path}.$ref`;
  const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(reference);
  const table = match === null ? undefined : context.root[match[1] ?? ''];
  const target = isRecord(table) && match !== null ? table[decodeURIComponent(match[2] ?? '')] : undefined;
  if (!isRecord(target)) throw new SchemaError(path, `only local references to $defs or definitions can be inlined ('${reference}')`);
  if (context.references.includes(reference)) throw new SchemaError(path, `recursive reference '${reference}' cannot be inlined`);
  if (context.references.length >= MAX_REF_DEPTH) throw new SchemaError(path, `references nest more than ${MAX_REF_DEPTH} deep ('${reference}')`);
  const siblings = Object.fromEntries(Object.entries(schema).filter(([keyword]) => keyword !== '$ref'));
  return convert({ ...target, ...siblings }, { ...context, references: [...context.references, reference] });
}

function convertType(value: unknown, path: string): Record<string, unknown> {
  if (typeof value === 'string') return { type: value };
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new SchemaError(path, 'type must be a string or an array of strings');
  }
  const types = value.filter((item) => item !== 'null');
  const nullable = types.length < value.length ? { nullable: true } : {};
  if (types.length === 0) return { type: 'null' };
  if (types.length === 1) return { type: types[0], ...nullable };
  return { anyOf: types.map((type) => ({ type })), ...nullable };
}

function convertFormat(type: unknown, value: unknown): Record<string, unknown> {
  const allowed = typeof type === 'string' ? ownValue(FORMATS, type) : undefined;
  return typeof value === 'string' && allowed !== undefined && allowed.includes(value) ? { format: value } : {};
}

function convertEnum(value: unknown, path: string): Record<string, unknown> {
  if (!Array.isArray(value)) throw new SchemaError(path, 'enum must be an array');
  const values = value.filter((item) => item !== null);
  if (!values.every((item) => typeof item === 'string')) {
    throw new SchemaError(path, 'Gemini enums hold strings only');
  }
  return { enum: values, ...(values.length < value.length ? { nullable: true } : {}) };
}

function convertChild(value: unknown, context: Context): Record<string, unknown> {
  if (!isRecord(value)) throw new SchemaError(context.path, 'must be a schema object (tuple forms have no Gemini equivalent)');
  return convert(value, context);
}

function convertProperties(value: unknown, context: Context): Record<string, unknown> {
  if (!isRecord(value)) throw new SchemaError(context.path, 'properties must be an object');
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(value)) {
    out[name] = convertChild(property, { ...context, path: `${context.path}.${name}` });
  }
  return out;
}

function convertUnion(value: unknown, context: Context): Record<string, unknown> {
  if (!Array.isArray(value) || value.length === 0) throw new SchemaError(context.path, 'must be a non-empty array of schemas');
  const branches = value.map((branch, index) => convertChild(branch, { ...context, path: `${context.path}[${index}]` }));
  const nonNull = branches.filter((branch) => branch['type'] !== 'null');
  const nullable = nonNull.length < branches.length ? { nullable: true } : {};
  if (nonNull.length === 1) return { ...nonNull[0], ...nullable };
  return { anyOf: nonNull, ...nullable };
}

function convertAllOf(value: unknown, context: Context): Record<string, unknown> {
  if (!Array.isArray(value) || value.length !== 1) {
    throw new SchemaError(context.path, 'allOf with more than one schema has no Gemini equivalent');
  }
  return convertChild(value[0], { ...context, path: `${context.path}[0]` });
}
