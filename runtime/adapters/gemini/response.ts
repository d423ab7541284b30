/**
 * Gemini `GenerateContentResponse` → OpenAI `chat.completion` (providers.md §4.3, §4.6): one choice per
 * candidate; text parts (not `thought` parts) → `content`; `functionCall` parts → `tool_calls` with
 * deterministic ids; a prompt blocked by `promptFeedback.blockReason` → an empty `content_filter` choice.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import type { ParseResult, ResponseContext } from '../contract.js';
import { isRecord, numberOr, parseJson, stringOr } from '../json-value.js';
import { hasAnyCount, makeUsage } from '../usage.js';
import { malformedResponse } from '../error-common.js';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../../openai/wire.js';
import { brokenToolTurn, mapGeminiFinishReason } from './finish-reason.js';
import { toolCallId } from './tool-call-id.js';

/** Text and tool calls of one candidate's parts. */
export interface CandidateOutput {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
}

export interface PartOutput {
  readonly text?: string;
  readonly toolCall?: ToolCall;
}

/**
 * One part → its text or its tool call; `ordinal` numbers the candidate's function calls from 0 and
 * `completionId` makes the synthetic id unique to this response (tool-call-id.ts).
 */
export function readPart(part: unknown, completionId: string, ordinal: number): PartOutput {
  if (!isRecord(part) || part['thought'] === true) return {};
  const call = part['functionCall'];
  if (isRecord(call) && typeof call['name'] === 'string') {
    const args = isRecord(call['args']) ? call['args'] : {};
    return {
      toolCall: {
        id: toolCallId(completionId, ordinal, stringOr(call['id']), stringOr(part['thoughtSignature'])),
        type: 'function',
        function: { name: call['name'], arguments: JSON.stringify(args) },
      },
    };
  }
  const text = stringOr(part['text']);
  return text === undefined || text === '' ? {} : { text };
}

export function readCandidateParts(candidate: unknown, completionId: string): CandidateOutput {
  const content = isRecord(candidate) ? candidate['content'] : undefined;
  const parts = isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : [];
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const part of parts) {
    const output = readPart(part, completionId, toolCalls.length);
    if (output.text !== undefined) text += output.text;
    if (output.toolCall !== undefined) toolCalls.push(output.toolCall);
  }
  return { text, toolCalls };
}

/**
 * `usageMetadata` → OpenAI usage (providers.md §10.2). Thoughts count as completion tokens (and as
 * reasoning tokens); tool-use prompt tokens (grounding results) count as prompt tokens, so that
 * prompt + completion equals Gemini's own `totalTokenCount`. Cached tokens are part of the prompt count.
 * Undefined when Gemini reported no count (unknown, never 0: see hasAnyCount).
 */
export function geminiUsage(metadata: unknown): Usage | undefined {
  if (!isRecord(metadata)) return undefined;
  const read = (key: string): number => numberOr(metadata[key]) ?? 0;
  const thoughts = numberOr(metadata['thoughtsTokenCount']);
  const cached = numberOr(metadata['cachedContentTokenCount']);
  const counts = ['promptTokenCount', 'toolUsePromptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount'];
  if (!hasAnyCount(...counts.map((key) => metadata[key]))) return undefined;
  return makeUsage(
    read('promptTokenCount') + read('toolUsePromptTokenCount'),
    read('candidatesTokenCount') + (thoughts ?? 0),
    {
      ...(cached === undefined ? {} : { cachedTokens: cached }),
      ...(thoughts === undefined ? {} : { reasoningTokens: thoughts }),
    },
  );
}

/** The reason a prompt was blocked before any candidate, if it was. */
export function blockReasonOf(response: Readonly<Record<string, unknown>>): string | undefined {
  const feedback = response['promptFeedback'];
  return isRecord(feedback) ? stringOr(feedback['blockReason']) : undefined;
}

export function parseGeminiResponse(provider: string, body: string, context: ResponseContext): ParseResult {
  const response = parseJson(body);
  if (!isRecord(response)) return { ok: false, error: malformedResponse(provider, 'the body is not a JSON object') };
  const usage = geminiUsage(response['usageMetadata']);
  const candidates = Array.isArray(response['candidates']) ? response['candidates'] : [];
  const blockReason = blockReasonOf(response);
  if (candidates.length === 0) {
    if (blockReason === undefined) return { ok: false, error: malformedResponse(provider, 'no candidates and no promptFeedback') };
    return { ok: true, completion: completion(context, [choice(0, { text: '', toolCalls: [] }, 'content_filter')], usage), ...(usage === undefined ? {} : { usage }), rawFinishReason: blockReason };
  }
  const choices: ChatCompletion['choices'][number][] = [];
  let rawFinishReason: string | undefined;
  for (const [position, candidate] of candidates.entries()) {
    const output = readCandidateParts(candidate, context.completionId);
    const raw = (isRecord(candidate) ? stringOr(candidate['finishReason']) : undefined) ?? 'STOP';
    rawFinishReason ??= raw;
    const finish = mapGeminiFinishReason(raw, output.toolCalls.length > 0);
    if (finish.type === 'error') return { ok: false, error: brokenToolTurn(finish.code) };
    const index = (isRecord(candidate) ? numberOr(candidate['index']) : undefined) ?? position;
    choices.push(choice(index, output, finish.reason));
  }
  return { ok: true, completion: completion(context, choices, usage), ...(usage === undefined ? {} : { usage }), ...(rawFinishReason === undefined ? {} : { rawFinishReason }) };
}

function choice(index: number, output: CandidateOutput, reason: FinishReason): ChatCompletion['choices'][number] {
  return {
    index,
    message: {
      role: 'assistant',
      content: output.text === '' && (output.toolCalls.length > 0 || reason === 'content_filter') ? null : output.text,
      refusal: null,
      ...(output.toolCalls.length === 0 ? {} : { tool_calls: output.toolCalls }),
    },
    logprobs: null,
    finish_reason: reason,
  };
}

/** Without `usage` when Gemini reported none (see makeCompletion in ../completion.ts for why). */
function completion(context: ResponseContext, choices: ChatCompletion['choices'], usage: Usage | undefined): ChatCompletion {
  const base = { id: context.completionId, object: 'chat.completion' as const, created: context.created, model: context.model, choices };
  return usage === undefined ? base : { ...base, usage };
}
