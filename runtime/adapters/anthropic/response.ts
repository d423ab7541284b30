/**
 * Anthropic Message → OpenAI chat.completion (providers.md §3.3, §3.6): text blocks joined into
 * `content`, `tool_use` blocks into `tool_calls` (input serialised to the JSON string OpenAI sends),
 * thinking and server-tool blocks left out (no OpenAI field), the message id and model kept.
 * @see https://docs.claude.com/en/api/messages
 */
import type { ToolCall } from '../../openai/wire.js';
import type { ParseResult, ResponseContext } from '../contract.js';
import { makeCompletion } from '../completion.js';
import { malformedResponse } from '../error-common.js';
import { isRecord, parseJson } from '../json-value.js';
import { parseAnthropicError } from './error.js';
import { mapStopReason } from './finish-reason.js';
import { readUsage, toOpenAIUsage } from './usage.js';
import type { Mutable } from '../../mutable.js';

export function parseMessagesResponse(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  context: ResponseContext,
): ParseResult {
  if (status < 200 || status >= 300) return { ok: false, error: parseAnthropicError(status, headers, body) };
  const message = parseJson(body);
  if (!isRecord(message) || !Array.isArray(message['content'])) {
    return { ok: false, error: malformedResponse('anthropic', 'the body is not a Message') };
  }
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  // Array.isArray narrows to any[]; read the blocks as unknown and narrow each.
  for (const block of message['content'] as readonly unknown[]) {
    if (!isRecord(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
    if (block['type'] === 'tool_use' && typeof block['id'] === 'string' && typeof block['name'] === 'string') {
      toolCalls.push({ id: block['id'], type: 'function', function: { name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) } });
    }
  }
  const stopReason = typeof message['stop_reason'] === 'string' ? message['stop_reason'] : undefined;
  const usage = toOpenAIUsage(readUsage(message['usage']));
  const parsed: Mutable<Extract<ParseResult, { ok: true }>> = {
    ok: true,
    completion: makeCompletion({
      id: typeof message['id'] === 'string' ? message['id'] : context.completionId,
      created: context.created,
      model: typeof message['model'] === 'string' ? message['model'] : context.model,
      text: texts.join(''),
      toolCalls,
      finishReason: mapStopReason(stopReason),
      usage,
    }),
  };
  // Assigned, not spread (see Mutable).
  if (usage !== undefined) parsed.usage = usage;
  if (stopReason !== undefined) parsed.rawFinishReason = stopReason;
  return parsed;
}
