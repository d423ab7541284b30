/**
 * Builds an OpenAI `chat.completion` (providers.md §1.3) from what a native response said: one choice,
 * `refusal: null`, `logprobs: null`, `tool_calls` only when there are some, and `content: null` only
 * when the answer is tool calls alone (as OpenAI sends it).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../openai/wire.js';

export interface CompletionParts {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** The text blocks joined; empty when the model wrote none. */
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: Usage;
}

export function makeCompletion(parts: CompletionParts): ChatCompletion {
  const hasTools = parts.toolCalls.length > 0;
  return {
    id: parts.id,
    object: 'chat.completion',
    created: parts.created,
    model: parts.model,
    choices: [{
      index: 0,
      message: {
        role: 'assistant',
        content: hasTools && parts.text.length === 0 ? null : parts.text,
        refusal: null,
        ...(hasTools ? { tool_calls: parts.toolCalls } : {}),
      },
      logprobs: null,
      finish_reason: parts.finishReason,
    }],
    usage: parts.usage,
  };
}
