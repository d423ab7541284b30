/**
 * The chat-completions request body check (schemas/chat-completions-request.schema.json). The schema
 * is precompiled into request-validator.generated.ts (ajv standalone code, regenerated and checked by
 * test/unit/server/request-validator.test.ts): loading ajv and compiling the schema took about 80 ms
 * of every gateway's start. A violation becomes a 400 whose `param` names the offending path the way
 * OpenAI writes it (`messages[0].content`).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { AigwError, ERRORS } from '../errors.js';
import type { ChatCompletionRequest } from '../openai/wire.js';
import { validate as generated } from './request-validator.generated.js';

export type RequestValidator = (body: unknown) => ChatCompletionRequest;

export function createRequestValidator(): RequestValidator {
  // The generated module is untyped JavaScript with exactly the shape of an ajv ValidateFunction.
  const validate = generated as unknown as ValidateFunction;
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AigwError(ERRORS.INVALID_REQUEST, 'The request body must be a JSON object.');
    }
    if (!validate(body)) throw invalidRequest(validate.errors?.[0]);
    // The schema just checked every field the gateway reads.
    return body as ChatCompletionRequest;
  };
}

function invalidRequest(error: ErrorObject | undefined): AigwError {
  if (error === undefined) return new AigwError(ERRORS.INVALID_REQUEST, 'Invalid request body.');
  const missing = error.keyword === 'required' ? String((error.params as { missingProperty?: string }).missingProperty ?? '') : '';
  const path = pointerToParam(error.instancePath) + (missing === '' ? '' : (error.instancePath === '' ? '' : '.') + missing);
  const where = path === '' ? 'the request body' : `'${path}'`;
  const message = missing !== ''
    ? `Missing required parameter: ${where}.`
    : `Invalid value for ${where}: ${error.message ?? 'invalid'}.`;
  return new AigwError(ERRORS.INVALID_REQUEST, message, { param: path === '' ? null : path });
}

/** `/messages/0/content` → `messages[0].content`. */
function pointerToParam(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : (out === '' ? segment : `.${segment}`);
  }
  return out;
}
