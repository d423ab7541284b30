/**
 * OpenAI messages → Ollama native messages (providers.md §8.1): developer → system; text parts joined;
 * images as raw base64 in `images` (Ollama takes no image URLs, so an https image goes through the
 * drop policy); assistant tool calls with arguments as objects; tool results with the `tool_name` of
 * the call they answer (looked up by `tool_call_id`) and the id itself.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-with-images
 */
import type { ContentPart, Message } from '../../openai/wire.js';
import { parseDataUrl } from '../data-url.js';
import { assistantText, messageText } from '../message-text.js';
import { parseToolArguments, type DropPolicy } from '../request-translation.js';
import type { OllamaMessage } from './wire.js';

export function toOllamaMessages(messages: readonly Message[], policy: DropPolicy, prefill: string | undefined): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  const out: OllamaMessage[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: messageText(message.content) });
        break;
      case 'user':
        out.push(userMessage(message.content, index, policy));
        break;
      case 'assistant': {
        const calls = (message.tool_calls ?? []).map((call, callIndex) => {
          toolNames.set(call.id, call.function.name);
          return { id: call.id, function: { name: call.function.name, arguments: parseToolArguments(call.function.arguments, index, callIndex, 'Ollama') } };
        });
        out.push({ role: 'assistant', content: assistantText(message), ...(calls.length > 0 ? { tool_calls: calls } : {}) });
        break;
      }
      case 'tool': {
        const name = toolNames.get(message.tool_call_id);
        out.push({ role: 'tool', content: messageText(message.content), ...(name === undefined ? {} : { tool_name: name }), tool_call_id: message.tool_call_id });
        break;
      }
      default: {
        const never: never = message;
        return never;
      }
    }
  });
  // Ollama continues a final assistant message (design §3.6 stream continuation).
  if (prefill !== undefined) out.push({ role: 'assistant', content: prefill });
  return out;
}

function userMessage(content: string | readonly ContentPart[], messageIndex: number, policy: DropPolicy): OllamaMessage {
  if (typeof content === 'string') return { role: 'user', content };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part, partIndex) => {
    const param = `messages[${messageIndex}].content[${partIndex}]`;
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'image_url') {
      const inline = parseDataUrl(part.image_url.url);
      if (inline === undefined) policy.unsupported(param, 'Ollama takes images as base64 data URLs only, not image URLs');
      else images.push(inline.data);
    } else policy.unsupported(param, `${part.type} content parts are not supported by Ollama`);
  });
  return { role: 'user', content: texts.join('\n'), ...(images.length > 0 ? { images } : {}) };
}
