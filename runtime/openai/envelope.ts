/**
 * Gateway errors (AigwError) and translated provider errors (TranslatedError) → OpenAI's error
 * envelope, exactly `{error:{message,type,param,code}}`: four keys, `param` and `code` nullable, no
 * provider extras (Azure `innererror`, OpenRouter `metadata`, Mistral `raw_status_code`) — style §A.4.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { TranslatedError } from '../adapters/contract.js';
import { isAigwError, type AigwError } from '../errors.js';
import type { OpenAIErrorEnvelope } from './wire.js';

export function isTranslatedError(value: unknown): value is TranslatedError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<TranslatedError>;
  return typeof candidate.status === 'number' && typeof candidate.failoverClass === 'string' && typeof candidate.envelope === 'object';
}

export function toEnvelope(error: AigwError | TranslatedError): OpenAIErrorEnvelope {
  const source = isAigwError(error) ? error.toEnvelope() : error.envelope;
  const { message, type, param, code } = source.error;
  return {
    error: {
      message: typeof message === 'string' ? message : '',
      type: typeof type === 'string' && type !== '' ? type : 'server_error',
      param: typeof param === 'string' ? param : null,
      code: typeof code === 'string' ? code : null,
    },
  };
}

/** The HTTP status that goes with the envelope. */
export function envelopeStatus(error: AigwError | TranslatedError): number {
  return error.status;
}
