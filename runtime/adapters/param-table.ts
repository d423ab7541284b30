/**
 * The declarative OpenAI-parameter table (style §H "Params"): one place decides, per provider, which
 * request fields map, pass through, are range-checked or cannot be honoured. It drives the 400
 * `unsupported_parameter`, the recorded `drop_params` drops and the capability matrix in the docs.
 * Nothing is clamped: a value out of range is a 400 (or a recorded drop), never silently adjusted.
 */
import type { ChatCompletionRequest } from '../openai/wire.js';
import type { DroppedParam, TranslatedError } from './contract.js';
import { withoutNulls } from './without-nulls.js';
import { ownValue } from '../own-value.js';

export type ParamRule =
  /** The adapter translates it (or, for OpenAI-compatible profiles, it passes as is). */
  | { readonly kind: 'supported' }
  /** Supported within a numeric range; outside it the request is rejected or the param dropped. */
  | { readonly kind: 'range'; readonly min: number; readonly max: number }
  /**
   * Cannot be honoured. With `when`, only for the values the predicate selects (e.g. `n` > 1,
   * `response_format.type` json_schema); `reason` is shown to the client and recorded on drop.
   */
  | { readonly kind: 'unsupported'; readonly reason: string; readonly when?: (value: unknown) => boolean };

export interface ParamTable {
  readonly rules: Readonly<Record<string, ParamRule>>;
  /** Fields the table does not list: passed through (OpenAI-compatible) or treated as unsupported. */
  readonly unknown: 'pass' | 'unsupported';
}

/** Fields every adapter handles itself; never subject to the table, never copied as they are. */
export const STRUCTURAL_PARAMS: ReadonlySet<string> = new Set(['model', 'messages', 'stream', 'stream_options']);

export type ParamCheck =
  | { readonly ok: true; readonly request: ChatCompletionRequest; readonly dropped: readonly DroppedParam[] }
  | { readonly ok: false; readonly error: TranslatedError };

/**
 * Applies the table: returns the request with null parameters ("not set", as OpenAI reads them) and
 * dropped fields removed (a new object; the input is not mutated) or the 400 naming the first
 * offending parameter and the provider. Every adapter's translation starts here, so the translated
 * request never carries a null parameter.
 */
export function applyParamTable(
  original: ChatCompletionRequest,
  table: ParamTable,
  providerId: string,
  dropParams: boolean,
): ParamCheck {
  const request = withoutNulls(original);
  const dropped: DroppedParam[] = [];
  for (const [param, value] of Object.entries(request)) {
    if (STRUCTURAL_PARAMS.has(param) || value === undefined) continue;
    const reason = violation(table, param, value);
    if (reason === undefined) continue;
    if (!dropParams) return { ok: false, error: unsupportedParameter(param, providerId, reason) };
    dropped.push({ param, reason });
  }
  if (dropped.length === 0) return { ok: true, request, dropped };
  const kept: Record<string, unknown> = { ...request };
  for (const { param } of dropped) delete kept[param];
  // The copy keeps every field of the validated request but the dropped ones.
  return { ok: true, request: kept as ChatCompletionRequest, dropped };
}

function violation(table: ParamTable, param: string, value: unknown): string | undefined {
  const rule = ownValue(table.rules, param);
  if (rule === undefined) return table.unknown === 'pass' ? undefined : 'not supported by this provider';
  switch (rule.kind) {
    case 'supported':
      return undefined;
    case 'range':
      if (typeof value !== 'number' || value < rule.min || value > rule.max) {
        return `must be between ${rule.min} and ${rule.max} for this provider`;
      }
      return undefined;
    case 'unsupported':
      return rule.when === undefined || rule.when(value) ? rule.reason : undefined;
    default: {
      const never: never = rule;
      return never;
    }
  }
}

export function unsupportedParameter(param: string, providerId: string, reason: string): TranslatedError {
  return {
    status: 400,
    failoverClass: 'client_error',
    envelope: {
      error: {
        message: `Unsupported parameter: '${param}' is not supported by provider '${providerId}' (${reason}).`,
        type: 'invalid_request_error',
        param,
        code: 'unsupported_parameter',
      },
    },
  };
}
