/**
 * The frame of every native `buildRequest`: apply the param table, then translate. Translation walks
 * nested messages and parts; when one cannot be expressed for the provider it throws
 * RequestTranslationError carrying the 400, which becomes `{ok: false}`. Parts the provider cannot take
 * (an audio part, an image URL where only base64 is accepted) go through the drop policy: a 400 naming
 * the part and the provider or, with the route's `drop_params`, a recorded drop — never a silent one.
 */
import type { ChatCompletionRequest } from '../openai/wire.js';
import type { BuildResult, DroppedParam, NativeRequest, TargetContext, TranslatedError } from './contract.js';
import { applyParamTable, unsupportedParameter, type ParamTable } from './param-table.js';
import { isRecord } from './json-value.js';
import { invalidRequest } from './error-common.js';

export class RequestTranslationError extends Error {
  readonly translated: TranslatedError;

  constructor(translated: TranslatedError) {
    super(translated.envelope.error.message);
    this.name = 'RequestTranslationError';
    this.translated = translated;
  }
}

export interface DropPolicy {
  /** Throws the 400 unless the route drops parameters, in which case the part is recorded as dropped. */
  unsupported(param: string, reason: string): void;
  readonly dropped: readonly DroppedParam[];
}

export function createDropPolicy(providerId: string, dropParams: boolean, alreadyDropped: readonly DroppedParam[] = []): DropPolicy {
  const dropped: DroppedParam[] = [...alreadyDropped];
  return {
    unsupported(param, reason) {
      if (!dropParams) throw new RequestTranslationError(unsupportedParameter(param, providerId, reason));
      dropped.push({ param, reason });
    },
    dropped,
  };
}

/**
 * Applies `params` to the request, then runs `translate` on the checked request (dropped fields
 * removed). A RequestTranslationError from `translate` becomes the failed BuildResult.
 */
export function translateRequest(
  request: ChatCompletionRequest,
  target: TargetContext,
  params: ParamTable,
  translate: (checked: ChatCompletionRequest, policy: DropPolicy) => NativeRequest,
): BuildResult {
  const checked = applyParamTable(request, params, target.providerId, target.dropParams);
  if (!checked.ok) return checked;
  const policy = createDropPolicy(target.providerId, target.dropParams, checked.dropped);
  try {
    const native = translate(checked.request, policy);
    return { ok: true, request: native, dropped: policy.dropped };
  } catch (error) {
    if (error instanceof RequestTranslationError) return { ok: false, error: error.translated };
    throw error;
  }
}

/**
 * An assistant tool call's `arguments` (a JSON string in OpenAI) as the object providers such as
 * Anthropic (`input`) and Ollama take; empty arguments mean `{}`. Anything else is a 400 naming the call.
 */
export function parseToolArguments(argumentsText: string, messageIndex: number, callIndex: number, providerLabel: string): Readonly<Record<string, unknown>> {
  const text = argumentsText.trim();
  if (text.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed)) return parsed;
  const param = `messages[${messageIndex}].tool_calls[${callIndex}].function.arguments`;
  throw new RequestTranslationError(invalidRequest(param, `${param} must be a JSON object; ${providerLabel} takes tool arguments as an object.`));
}

/**
 * The provider entry holds no credential the adapter needs: the operator's fault, like a provider 401,
 * so the engine fails over (class auth_error) and the client never hears that its own key was wrong.
 */
export function missingCredential(providerId: string, field: string): TranslatedError {
  return {
    status: 502,
    failoverClass: 'auth_error',
    envelope: {
      error: {
        message: `Provider '${providerId}' has no '${field}' configured; this is a gateway configuration problem for the operator.`,
        type: 'server_error',
        param: null,
        code: 'provider_credentials_missing',
      },
    },
  };
}
