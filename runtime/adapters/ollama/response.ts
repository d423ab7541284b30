/**
 * Ollama chat response → OpenAI chat.completion (providers.md §8.1): message content, tool calls with
 * serialised arguments and a deterministic id when the server gave none, the model Ollama names, and
 * the counts as usage. Thinking has no OpenAI field and is left out. An `{"error"}` body is an error.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-no-streaming
 */
import type { ParseResult, ResponseContext } from '../contract.js';
import { makeCompletion } from '../completion.js';
import { malformedResponse } from '../error-common.js';
import { isRecord, parseJson, stringOr } from '../json-value.js';
import { parseOllamaError, translateOllamaError } from './error.js';
import { mapDoneReason } from './finish-reason.js';
import { readToolCalls, toolCallId } from './tool-calls.js';
import { toOpenAIUsage } from './usage.js';

export function parseChatResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  context: ResponseContext,
): ParseResult {
  if (status < 200 || status >= 300) return { ok: false, error: parseOllamaError(status, headers, body) };
  const response = parseJson(body);
  if (isRecord(response) && typeof response['error'] === 'string') {
    return { ok: false, error: translateOllamaError(500, headers, response['error']) };
  }
  if (!isRecord(response) || !isRecord(response['message'])) return { ok: false, error: malformedResponse('ollama', 'the body is not a chat response') };
  const message = response['message'];
  const calls = readToolCalls(message['tool_calls']);
  if (calls === undefined) return { ok: false, error: malformedResponse('ollama', 'a tool call without a function name') };
  const toolCalls = calls.map((call, index) => ({
    id: call.id ?? toolCallId(context, index),
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  const doneReason = stringOr(response['done_reason']);
  const usage = toOpenAIUsage(response);
  return {
    ok: true,
    completion: makeCompletion({
      id: context.completionId,
      created: context.created,
      model: stringOr(response['model']) ?? context.model,
      text: stringOr(message['content']) ?? '',
      toolCalls,
      finishReason: mapDoneReason(doneReason, toolCalls.length > 0),
      usage,
    }),
    ...(usage === undefined ? {} : { usage }),
    ...(doneReason === undefined ? {} : { rawFinishReason: doneReason }),
  };
}
