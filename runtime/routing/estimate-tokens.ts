/**
 * A cheap upper-side token estimate for quota reservations (provider `limits`): prompt characters / 4
 * (the usual rule of thumb for English text with BPE tokenizers) plus the completion budget. The
 * reservation is settled with the real usage afterwards, so the estimate only bounds concurrency
 * overshoot; it never bills anything.
 * @see https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them
 */
import type { ChatCompletionRequest, Message } from '../openai/wire.js';

const CHARACTERS_PER_TOKEN = 4;
/** Role markers and separators per message, as OpenAI's cookbook counts them. */
const TOKENS_PER_MESSAGE = 4;

function messageCharacters(message: Message): number {
  const content = 'content' in message ? message.content : undefined;
  let characters = 0;
  if (typeof content === 'string') characters += content.length;
  else if (Array.isArray(content)) {
    for (const part of content as readonly { type: string; text?: string }[]) {
      if (part.type === 'text' && typeof part.text === 'string') characters += part.text.length;
      else characters += 1_000; // an image or file: a flat allowance rather than its base64 length
    }
  }
  if (message.role === 'assistant' && message.tool_calls !== undefined) {
    for (const call of message.tool_calls) characters += call.function.name.length + call.function.arguments.length;
  }
  return characters;
}

export function estimatePromptTokens(request: ChatCompletionRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += messageCharacters(message);
  if (request.tools !== undefined) characters += JSON.stringify(request.tools).length;
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE * request.messages.length;
}

/** Prompt estimate plus `max_completion_tokens` / `max_tokens`, or the route's default budget. */
export function estimateRequestTokens(request: ChatCompletionRequest, defaultMaxTokens: number): number {
  const completion = request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens;
  return estimatePromptTokens(request) + completion;
}
