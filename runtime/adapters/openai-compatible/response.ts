/**
 * Non-stream chat.completion bodies of the OpenAI family (OpenAI, Azure, Mistral and the compatible
 * profiles) → a strict OpenAI `chat.completion`: only OpenAI's fields survive (Perplexity `citations`,
 * DeepSeek `reasoning_content`, Azure filter results, Groq `x_groq` are dropped; OpenAI's own
 * `annotations`, `service_tier` and `system_fingerprint` are kept), tool calls get their `type`,
 * finish reasons are mapped and the raw value kept.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 * @see /work/shared/providers.md §1.3, §2.3, §7.3, §9
 */
import type { Annotation, ChatCompletion, CompletionMessage, ToolCall, Usage } from '../../openai/wire.js';
import type { ParseResult, ResponseContext } from '../contract.js';
import { asRecord, malformedResponse } from '../error-common.js';
import { parseJson, stringOr } from '../json-value.js';
import { parseCompatibleError } from './error.js';
import { ERROR_FINISH_REASONS, mapFinishReason } from './finish-reason.js';
import { readUsage } from './usage.js';
import type { Mutable } from '../../mutable.js';

export function parseCompatibleResponse(
  provider: string,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  context: ResponseContext,
): ParseResult {
  if (status < 200 || status >= 300) return { ok: false, error: parseCompatibleError(provider, status, headers, body) };
  const root = asRecord(parseJson(body));
  if (root === undefined) return { ok: false, error: malformedResponse(provider, 'the body is not a JSON object') };
  if (root['error'] !== undefined && root['error'] !== null) {
    // Some compatible servers answer 200 with an error body; treat it as the provider's error.
    return { ok: false, error: parseCompatibleError(provider, 502, headers, body) };
  }
  const choices = Array.isArray(root['choices']) ? root['choices'] : [];
  const choice = asRecord(choices[0]);
  const message = asRecord(choice?.['message']);
  if (choice === undefined || message === undefined) return { ok: false, error: malformedResponse(provider, 'no choices[0].message') };

  const id = nonEmpty(stringOr(root['id'])) ?? context.completionId;
  const toolCalls = readToolCalls(message['tool_calls'], id);
  if (toolCalls === undefined) return { ok: false, error: malformedResponse(provider, 'a tool call without a function name') };
  const rawFinish = stringOr(choice['finish_reason']);
  if (rawFinish !== undefined && ERROR_FINISH_REASONS.has(rawFinish)) {
    return { ok: false, error: malformedResponse(provider, `finish_reason "${rawFinish}"`) };
  }
  const usage: Usage | undefined = readUsage(root);
  // Optional members assigned, not spread (see Mutable).
  const answer: Mutable<CompletionMessage> = { role: 'assistant', content: readContent(message['content']), refusal: stringOr(message['refusal']) ?? null };
  if (toolCalls.length > 0) answer.tool_calls = toolCalls;
  const annotations = readAnnotations(message['annotations']);
  if (annotations !== undefined) answer.annotations = annotations;
  const completion: Mutable<ChatCompletion> = {
    id,
    object: 'chat.completion',
    created: context.created,
    model: nonEmpty(stringOr(root['model'])) ?? context.model,
    choices: [{ index: 0, message: answer, logprobs: null, finish_reason: mapFinishReason(rawFinish ?? 'stop', toolCalls.length > 0) }],
  };
  // A body without `usage` (some compatible servers, a proxy that strips it) leaves the usage unknown:
  // the completion goes out without the field, as the provider sent it (OpenAI's schema and SDKs make it
  // optional), and the result carries none, so the quota keeps its reservation instead of being settled
  // at a made-up 0 (design §3.8, §5). See makeCompletion in ../completion.ts.
  const parsed: Mutable<Extract<ParseResult, { ok: true }>> = { ok: true, completion };
  if (usage !== undefined) {
    completion.usage = usage;
    parsed.usage = usage;
  }
  const serviceTier = stringOr(root['service_tier']);
  if (serviceTier !== undefined) completion.service_tier = serviceTier;
  const fingerprint = stringOr(root['system_fingerprint']);
  if (fingerprint !== undefined) completion.system_fingerprint = fingerprint;
  if (rawFinish !== undefined) parsed.rawFinishReason = rawFinish;
  return parsed;
}

/** OpenAI's citations (web search), as sent: objects only, and none when the list is empty. */
export function readAnnotations(value: unknown): Annotation[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const annotations = value.filter((entry): entry is Annotation => asRecord(entry) !== undefined);
  return annotations.length === 0 ? undefined : annotations;
}

/** A string, or the text parts of a content array (Mistral returns arrays with `thinking` parts). */
export function readContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return null;
  const texts = value.map((part) => asRecord(part)).filter((part) => part?.['type'] === 'text').map((part) => stringOr(part?.['text']) ?? '');
  return texts.length === 0 ? null : texts.join('');
}

/** Tool calls with `type` restored and ids synthesised where a provider omits them. */
/**
 * The calls, or undefined when one has no function name: a call the app cannot dispatch makes the
 * answer malformed (another target may do better), never a dropped or nameless call (design §10.6).
 */
function readToolCalls(value: unknown, responseId: string): ToolCall[] | undefined {
  if (!Array.isArray(value)) return [];
  const calls: ToolCall[] = [];
  for (const [position, entry] of value.entries()) {
    const call = asRecord(entry);
    const name = nonEmpty(stringOr(asRecord(call?.['function'])?.['name']));
    if (call === undefined || name === undefined) return undefined;
    calls.push({
      id: nonEmpty(stringOr(call['id'])) ?? syntheticToolCallId(responseId, position),
      type: 'function',
      function: { name, arguments: readArguments(asRecord(call['function'])?.['arguments']) },
    });
  }
  return calls;
}

/** Arguments are a JSON string in OpenAI's shape; some providers send an object. */
/** A call's arguments as JSON text: none (absent, null, "") is `{}`, as OpenAI sends for a call without parameters. */
export function readArguments(value: unknown): string {
  const text = argumentsFragment(value);
  return text === '' ? '{}' : text;
}

/** A piece of a streamed call's arguments as it came ("" when the delta carries none). */
export function argumentsFragment(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/** Deterministic id for a tool call that came without one. */
export function syntheticToolCallId(responseId: string, index: number): string {
  return `call_${responseId}_${index}`;
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
