/**
 * Cohere v2 chat response → OpenAI chat.completion (providers.md §6.3): text content joined, tool calls
 * kept as they are (same shape as OpenAI's), `tool_plan` and thinking left out (no OpenAI field), the
 * response id kept; Cohere names no model, so the target's is echoed.
 * @see https://docs.cohere.com/reference/chat#response
 */
import type { ToolCall } from '../../openai/wire.js';
import type { ParseResult, ResponseContext } from '../contract.js';
import { makeCompletion } from '../completion.js';
import { malformedResponse } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';
import { failedGeneration, parseCohereError } from './error.js';
import { mapFinishReason } from './finish-reason.js';
import { toOpenAIUsage } from './usage.js';

export function parseChatResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  context: ResponseContext,
): ParseResult {
  if (status < 200 || status >= 300) return { ok: false, error: parseCohereError(status, headers, body) };
  const response = parseJson(body);
  if (!isRecord(response) || !isRecord(response['message'])) return { ok: false, error: malformedResponse('cohere', 'the body is not a chat response') };
  const message = response['message'];
  const rawFinish = stringOr(response['finish_reason']);
  const finish = mapFinishReason(rawFinish);
  if (finish.kind === 'failed') return { ok: false, error: failedGeneration(rawFinish ?? 'ERROR', undefined) };
  const toolCalls = toolCallsOf(message['tool_calls']);
  if (toolCalls === undefined) return { ok: false, error: malformedResponse('cohere', 'a tool call without an id or a function name') };
  const usage = toOpenAIUsage(response['usage']);
  return {
    ok: true,
    completion: makeCompletion({
      id: stringOr(response['id']) ?? context.completionId,
      created: context.created,
      model: context.model,
      text: textOf(message['content']),
      toolCalls,
      finishReason: finish.reason,
      usage,
    }),
    ...(usage === undefined ? {} : { usage }),
    ...(rawFinish === undefined ? {} : { rawFinishReason: rawFinish }),
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is Readonly<Record<string, unknown>> => isRecord(part) && part['type'] === 'text')
    .map((part) => stringOr(part['text']) ?? '')
    .join('');
}

/** The calls, or undefined when one cannot be passed on (no id or no name): the answer is then malformed. */
function toolCallsOf(calls: unknown): ToolCall[] | undefined {
  if (!Array.isArray(calls)) return [];
  const out: ToolCall[] = [];
  for (const call of calls) {
    if (!isRecord(call) || !isRecord(call['function'])) return undefined;
    const id = stringOr(call['id']);
    const name = stringOr(call['function']['name']);
    if (id === undefined || id === '' || name === undefined || name === '') return undefined;
    out.push({ id, type: 'function', function: { name, arguments: stringOr(call['function']['arguments']) ?? '{}' } });
  }
  return out;
}
