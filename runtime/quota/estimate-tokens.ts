/**
 * Prompt-token estimate for quota reservations, before any provider has counted anything. It has
 * to be cheap (every request, on the hot path) and tokenizer-free (one rule for every provider):
 *
 * - text (message content, names, tool-call arguments, tool definitions): ceil(characters / 4),
 *   OpenAI's rule of thumb for English;
 * - 4 tokens of framing per message and 3 to prime the reply (OpenAI's chat format overhead);
 * - images: 85 tokens at `detail: low`, 765 otherwise (a 1024×1024 image at high detail);
 * - audio and file parts: 1 000 tokens each (their real cost depends on length, unknown here).
 *
 * An estimate below the real count is what can push a window over its budget, and by how much is
 * bounded (see docs/quotas.md); settle() then books the real usage.
 * @see https://platform.openai.com/docs/guides/images-vision#calculating-costs
 * @see https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb
 */
import type { ChatCompletionRequest, ContentPart, Message } from '../openai/wire.js';

const CHARACTERS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;
const REPLY_PRIMING_TOKENS = 3;
const IMAGE_LOW_DETAIL_TOKENS = 85;
const IMAGE_TOKENS = 765;
const OPAQUE_PART_TOKENS = 1_000;

/** Estimated prompt tokens of a chat-completions request (messages and tool definitions). */
export function estimatePromptTokens(request: Pick<ChatCompletionRequest, 'messages' | 'tools'>): number {
  let characters = 0;
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of request.messages) {
    tokens += TOKENS_PER_MESSAGE;
    characters += messageCharacters(message);
    tokens += fixedPartTokens(message);
  }
  if (request.tools !== undefined && request.tools.length > 0) characters += JSON.stringify(request.tools).length;
  return tokens + Math.ceil(characters / CHARACTERS_PER_TOKEN);
}

/**
 * Tokens to reserve at admission: the prompt estimate plus the completion ceiling, which is
 * `max_completion_tokens` (else `max_tokens`, else the route's default) for each of the `n` choices:
 * providers apply the limit per choice, so 8 choices may use 8 times it.
 */
export function reservationTokens(
  request: Pick<ChatCompletionRequest, 'messages' | 'tools' | 'n' | 'max_tokens' | 'max_completion_tokens'>,
  defaultMaxTokens: number,
): number {
  const perChoice = Math.max(0, request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens);
  return estimatePromptTokens(request) + perChoice * choicesOf(request);
}

/** `n`, the number of choices asked for (1 when unset). */
export function choicesOf(request: Pick<ChatCompletionRequest, 'n'>): number {
  return typeof request.n === 'number' && request.n > 1 ? Math.floor(request.n) : 1;
}

function messageCharacters(message: Message): number {
  let characters = message.role === 'tool' ? message.tool_call_id.length : 0;
  if ('name' in message && typeof message.name === 'string') characters += message.name.length;
  const content = message.content;
  if (typeof content === 'string') characters += content.length;
  else if (Array.isArray(content)) {
    for (const part of content as readonly ContentPart[]) if (part.type === 'text') characters += part.text.length;
  }
  if (message.role === 'assistant') {
    if (typeof message.refusal === 'string') characters += message.refusal.length;
    for (const call of message.tool_calls ?? []) characters += call.function.name.length + call.function.arguments.length;
  }
  return characters;
}

function fixedPartTokens(message: Message): number {
  if (!Array.isArray(message.content)) return 0;
  let tokens = 0;
  for (const part of message.content as readonly ContentPart[]) {
    if (part.type === 'image_url') tokens += part.image_url.detail === 'low' ? IMAGE_LOW_DETAIL_TOKENS : IMAGE_TOKENS;
    else if (part.type === 'input_audio' || part.type === 'file') tokens += OPAQUE_PART_TOKENS;
  }
  return tokens;
}
