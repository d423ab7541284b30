/**
 * Request side shared by the OpenAI family (compatible profiles, Azure, Mistral): the parameter table,
 * the body builder (rename, role mapping, provider defaults, forced stream usage, prefill) and the
 * NativeRequest assembly. The body keeps the client's field order so golden bodies are stable.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ChatCompletionRequest, Message } from '../../openai/wire.js';
import type { AuthSpec, BuildResult, DroppedParam, NativeRequest, TargetContext } from '../contract.js';
import { envelope } from '../error-common.js';
import { applyParamTable, STRUCTURAL_PARAMS, unsupportedParameter, type ParamCheck, type ParamRule, type ParamTable } from '../param-table.js';
import { ownValue } from '../../own-value.js';
import { shortenLongToolCallIds } from './long-tool-call-ids.js';

/** A parameter a provider cannot honour (optionally only for some values), with the reason shown. */
export interface UnsupportedParam {
  readonly param: string;
  readonly reason: string;
  readonly when?: (value: unknown) => boolean;
}

/**
 * What the gateway itself cannot carry back in OpenAI's shape for any provider of this family: one
 * choice per request (continuation and failover work on one answer), no log probabilities and no audio
 * output in the translated response. Listed so they are a 400 (or a recorded drop), never a silent loss.
 */
export const GATEWAY_UNSUPPORTED: readonly UnsupportedParam[] = [
  { param: 'n', reason: 'the gateway serves one choice per request (n > 1)', when: (value) => value !== 1 },
  { param: 'logprobs', reason: 'log probabilities are not carried through the gateway', when: (value) => value === true },
  { param: 'top_logprobs', reason: 'log probabilities are not carried through the gateway' },
  { param: 'modalities', reason: 'audio output is not carried through the gateway', when: (value) => Array.isArray(value) && value.includes('audio') },
  { param: 'audio', reason: 'audio output is not carried through the gateway' },
];

export function paramTable(unsupported: readonly UnsupportedParam[], unknown: ParamTable['unknown'], supported: readonly string[] = []): ParamTable {
  const rules: Record<string, ParamRule> = {};
  for (const param of supported) rules[param] = { kind: 'supported' };
  for (const entry of [...GATEWAY_UNSUPPORTED, ...unsupported]) {
    rules[entry.param] = entry.when === undefined
      ? { kind: 'unsupported', reason: entry.reason }
      : { kind: 'unsupported', reason: entry.reason, when: entry.when };
  }
  return { rules, unknown };
}

export interface BodyOptions {
  readonly developerRoleAs: 'developer' | 'system';
  /** Always ask for usage on streams (design §3.8); `native` providers send it unasked. */
  readonly streamUsage: 'native' | 'force-include';
  /** OpenAI field → native field (e.g. max_completion_tokens → max_tokens, Mistral seed → random_seed). */
  readonly renames: Readonly<Record<string, string>>;
  /** Value rewrites after renaming (Mistral tool_choice "required" → "any"). */
  readonly values?: (param: string, value: unknown) => unknown;
  /** Fields the table accepted that are not sent (Mistral: OpenAI-only fields at their default values). */
  readonly omit?: ReadonlySet<string>;
  /** Message rewrites after the role mapping (Mistral tool-call ids). */
  readonly messages?: (messages: readonly Message[]) => readonly unknown[];
  /** How a continuation prefill is sent: the final assistant message and any extra body fields. */
  readonly prefill: { readonly message: Readonly<Record<string, unknown>>; readonly fields: Readonly<Record<string, unknown>> };
}

/**
 * The table check plus the rename conflict: a provider with only `max_tokens` cannot take both
 * `max_tokens` and `max_completion_tokens` (which would collide after the rename).
 */
export function checkParams(
  request: ChatCompletionRequest,
  table: ParamTable,
  target: TargetContext,
  renames: Readonly<Record<string, string>>,
): ParamCheck {
  const checked = applyParamTable(request, table, target.providerId, target.dropParams);
  if (!checked.ok) return checked;
  const colliding = Object.entries(renames).filter(([from, to]) => checked.request[from] !== undefined && checked.request[to] !== undefined);
  if (colliding.length === 0) return checked;
  const dropped: DroppedParam[] = [...checked.dropped];
  const kept: Record<string, unknown> = { ...checked.request };
  for (const [from, to] of colliding) {
    const reason = `cannot be combined with '${to}' for this provider, which only has '${to}'`;
    if (!target.dropParams) return { ok: false, error: unsupportedParameter(from, target.providerId, reason) };
    delete kept[from];
    dropped.push({ param: from, reason });
  }
  // Same request minus the colliding fields.
  return { ok: true, request: kept as ChatCompletionRequest, dropped };
}

export function buildBody(
  request: ChatCompletionRequest,
  target: TargetContext,
  options: BodyOptions,
  prefill: string | undefined,
): Record<string, unknown> {
  const shortIds = shortenLongToolCallIds(request.messages);
  const roleMapped = options.developerRoleAs === 'developer'
    ? shortIds
    : shortIds.map((message): Message => (message.role === 'developer' ? { ...message, role: 'system' } : message));
  const messages: unknown[] = [...(options.messages === undefined ? roleMapped : options.messages(roleMapped))];
  const body: Record<string, unknown> = { model: target.model, messages };
  for (const [param, value] of Object.entries(request)) {
    if (STRUCTURAL_PARAMS.has(param) || value === undefined || options.omit?.has(param) === true) continue;
    const name = ownValue(options.renames, param) ?? param;
    body[name] = options.values === undefined ? value : options.values(name, value);
  }
  // Provider `defaults` are operator policy: they fill what the request leaves unset, never override it.
  for (const [field, value] of Object.entries(target.defaults)) if (!Object.hasOwn(body, field)) body[field] = value;
  if (prefill !== undefined && prefill !== '') {
    messages.push({ ...options.prefill.message, content: prefill });
    Object.assign(body, options.prefill.fields);
  }
  if (request.stream === true) {
    body['stream'] = true;
    if (options.streamUsage === 'force-include') body['stream_options'] = { include_usage: true };
  }
  return body;
}

export function nativeRequest(url: string, body: Record<string, unknown>, auth: AuthSpec, stream: boolean, extraHeaders: Readonly<Record<string, string>> = {}): NativeRequest {
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...extraHeaders },
    body: JSON.stringify(body),
    auth,
    stream: stream ? { framing: 'sse' } : false,
  };
}

/** `{base_url}{path}` with the base's trailing slashes removed (base URLs carry their version segment). */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** The manifest gave this provider no credential at all: an operator fault, so fail over without a call. */
export function missingCredential(providerId: string, field: string): BuildResult {
  return {
    ok: false,
    error: {
      status: 502,
      failoverClass: 'auth_error',
      envelope: envelope(
        `Provider '${providerId}' has no '${field}' configured in the gateway. This is a gateway configuration problem for the operator, not a problem with your API key.`,
        'server_error', null, 'upstream_auth_failed',
      ),
    },
  };
}
