/**
 * The text of an OpenAI message whose content may be a string or an array of text parts (system,
 * developer, assistant and tool messages). Parts are joined with a newline so words never run together.
 */
import type { AssistantMessage, TextPart } from '../openai/wire.js';

export function messageText(content: string | readonly TextPart[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('\n');
}

/**
 * An assistant turn's text: its content, and its `refusal` (OpenAI's refused answer has null content
 * and the refusal alone; replayed in the history, it is what the assistant said).
 */
export function assistantText(message: AssistantMessage): string {
  return [messageText(message.content), message.refusal ?? ''].filter((text) => text !== '').join('\n');
}
