/**
 * OpenAI messages → Cohere v2 messages (providers.md §6.2, §6.6): developer → system; user text and
 * image_url parts keep OpenAI's shape (https and base64 data URLs both accepted); assistant tool calls
 * and tool results keep theirs. Other part types go through the drop policy.
 * @see https://docs.cohere.com/reference/chat#request.body.messages
 */
import type { ContentPart, Message } from '../../openai/wire.js';
import { assistantText, messageText } from '../message-text.js';
import type { DropPolicy } from '../request-translation.js';
import type { CohereMessage, UserContent } from './wire.js';

export function toCohereMessages(messages: readonly Message[], policy: DropPolicy): CohereMessage[] {
  const out: CohereMessage[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: messageText(message.content) });
        break;
      case 'user':
        out.push({ role: 'user', content: userContent(message.content, index, policy) });
        break;
      case 'assistant': {
        const text = assistantText(message);
        const calls = message.tool_calls ?? [];
        // Cohere rejects an assistant turn with neither content nor tool calls.
        if (text.length === 0 && calls.length === 0) break;
        out.push({
          role: 'assistant',
          ...(text.length > 0 ? { content: text } : {}),
          ...(calls.length > 0 ? { tool_calls: calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: call.function.arguments } })) } : {}),
        });
        break;
      }
      case 'tool':
        out.push({ role: 'tool', tool_call_id: message.tool_call_id, content: messageText(message.content) });
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
  });
  return out;
}

function userContent(content: string | readonly ContentPart[], messageIndex: number, policy: DropPolicy): string | UserContent[] {
  if (typeof content === 'string') return content;
  const parts: UserContent[] = [];
  content.forEach((part, partIndex) => {
    if (part.type === 'text') parts.push({ type: 'text', text: part.text });
    else if (part.type === 'image_url') parts.push({ type: 'image_url', image_url: part.image_url });
    else policy.unsupported(`messages[${messageIndex}].content[${partIndex}]`, `${part.type} content parts are not supported by Cohere`);
  });
  return parts;
}
