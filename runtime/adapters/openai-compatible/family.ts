/**
 * One assembly for every adapter of the OpenAI family (the compatible profiles, Azure, Mistral): they
 * differ only in URL, auth, parameter table and body options, and share the translators.
 */
import type { AuthSpec, BuildResult, ProviderAdapter, ProviderType, TargetContext } from '../contract.js';
import type { ParamTable } from '../param-table.js';
import { parseCompatibleError } from './error.js';
import { buildBody, checkParams, missingCredential, nativeRequest, type BodyOptions } from './request.js';
import { parseCompatibleResponse } from './response.js';
import { createCompatibleStreamTranslator } from './stream.js';

export interface FamilySpec {
  readonly type: ProviderType;
  readonly params: ParamTable;
  readonly supportsPrefill: boolean;
  readonly body: BodyOptions;
  readonly url: (target: TargetContext) => string;
  /** Undefined when the manifest gave no credential at all (an operator fault: fail over without a call). */
  readonly auth: (target: TargetContext) => AuthSpec | undefined;
  /** The credential field named in that failure. */
  readonly credentialField: string;
}

export function createFamilyAdapter(spec: FamilySpec): ProviderAdapter {
  const provider = spec.type;
  const adapter: ProviderAdapter = {
    type: spec.type,
    params: spec.params,
    supportsPrefill: spec.supportsPrefill,
    buildRequest(request, target, options): BuildResult {
      const auth = spec.auth(target);
      if (auth === undefined) return missingCredential(target.providerId, spec.credentialField);
      const checked = checkParams(request, spec.params, target, spec.body.renames);
      if (!checked.ok) return checked;
      const body = buildBody(checked.request, target, spec.body, options?.prefill);
      return { ok: true, request: nativeRequest(spec.url(target), body, auth, request.stream === true), dropped: checked.dropped };
    },
    parseResponse: (status, headers, body, context) => parseCompatibleResponse(provider, status, headers, body, context),
    createStreamTranslator: (context) => createCompatibleStreamTranslator(provider, context),
    parseError: (status, headers, body) => parseCompatibleError(provider, status, headers, body),
  };
  return Object.freeze(adapter);
}
