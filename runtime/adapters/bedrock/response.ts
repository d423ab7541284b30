/**
 * Converse response → OpenAI `chat.completion` (providers.md §5.3, §5.6): `output.message.content`
 * text blocks join into `content`, `toolUse` blocks become `tool_calls` (Bedrock's `toolUseId` is the
 * id), `reasoningContent` is left out; `stopReason` maps per the master table. Converse bodies carry no
 * id and no model, so both come from the context.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 */
import type { ParseResult, ResponseContext } from '../contract.js';
import { makeCompletion } from '../completion.js';
import { isRecord, numberOr, parseJson, stringOr } from '../json-value.js';
import { hasAnyCount, makeUsage } from '../usage.js';
import { malformedResponse } from '../error-common.js';
import type { ToolCall, Usage } from '../../openai/wire.js';
import { mapBedrockStopReason } from './finish-reason.js';

/**
 * TokenUsage → OpenAI usage (providers.md §10.2): `inputTokens` excludes cache reads and writes, so the
 * prompt is their sum; cache reads are reported as `cached_tokens`. Undefined when Bedrock reported no
 * count (unknown, never 0).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html
 */
export function bedrockUsage(usage: unknown): Usage | undefined {
  const read = (key: string): number | undefined => (isRecord(usage) ? numberOr(usage[key]) : undefined);
  const input = read('inputTokens');
  const output = read('outputTokens');
  const cacheRead = read('cacheReadInputTokens');
  const cacheWrite = read('cacheWriteInputTokens');
  if (!hasAnyCount(input, output, cacheRead, cacheWrite)) return undefined;
  const prompt = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  return makeUsage(prompt, output ?? 0, cacheRead === undefined ? {} : { cachedTokens: cacheRead });
}

export function parseBedrockResponse(body: string, context: ResponseContext): ParseResult {
  const response = parseJson(body);
  const output = isRecord(response) ? response['output'] : undefined;
  const message = isRecord(output) ? output['message'] : undefined;
  if (!isRecord(response) || !isRecord(message) || !Array.isArray(message['content'])) {
    return { ok: false, error: malformedResponse('Bedrock', 'no output.message.content') };
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message['content']) {
    if (!isRecord(block)) continue;
    const blockText = stringOr(block['text']);
    if (blockText !== undefined) text += blockText;
    const toolUse = block['toolUse'];
    if (isRecord(toolUse) && typeof toolUse['toolUseId'] === 'string' && typeof toolUse['name'] === 'string') {
      toolCalls.push({ id: toolUse['toolUseId'], type: 'function', function: { name: toolUse['name'], arguments: JSON.stringify(toolUse['input'] ?? {}) } });
    }
  }
  const rawFinishReason = stringOr(response['stopReason']);
  const finish = mapBedrockStopReason(rawFinishReason);
  if (finish.type === 'error') return { ok: false, error: finish.error };
  const usage = bedrockUsage(response['usage']);
  const completion = makeCompletion({
    id: context.completionId, created: context.created, model: context.model, text, toolCalls, finishReason: finish.reason, usage,
  });
  return { ok: true, completion, ...(usage === undefined ? {} : { usage }), ...(rawFinishReason === undefined ? {} : { rawFinishReason }) };
}
