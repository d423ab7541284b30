/**
 * Builds an OpenAI `chat.completion` (providers.md §1.3) from what a native response said: one choice,
 * `refusal: null`, `logprobs: null`, `tool_calls` only when there are some, and `content: null` only
 * when the answer is tool calls alone (as OpenAI sends it).
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { ChatCompletion, CompletionMessage, FinishReason, ToolCall, Usage } from '../openai/wire.js';
import type { Mutable } from '../mutable.js';

export interface CompletionParts {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** The text blocks joined; empty when the model wrote none. */
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  /** Undefined when the provider reported none: the completion then has no `usage` (see below). */
  readonly usage: Usage | undefined;
}

export function makeCompletion(parts: CompletionParts): ChatCompletion {
  const hasTools = parts.toolCalls.length > 0;
  // tool_calls assigned, not spread (see Mutable).
  const message: Mutable<CompletionMessage> = { role: 'assistant', content: hasTools && parts.text.length === 0 ? null : parts.text, refusal: null };
  if (hasTools) message.tool_calls = parts.toolCalls;
  const completion: Mutable<ChatCompletion> = {
    id: parts.id,
    object: 'chat.completion',
    created: parts.created,
    model: parts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: parts.finishReason }],
  };
  // OpenAI always sends `usage`, but its API schema and SDKs declare it optional (`usage?:
  // CompletionUsage`), so leaving it out is a shape every client already handles. Zeros would be a false
  // count that client-side billing sums as free, and an estimate would be the gateway's invention,
  // not "that model's usage" (design §3.8); the gateway says nothing it does not know.
  if (parts.usage !== undefined) completion.usage = parts.usage;
  return completion;
}
