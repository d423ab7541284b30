/** The messages with every tool-call id (assistant `tool_calls`, `tool` messages) passed through `rewrite`. */
import type { Message } from '../openai/wire.js';

export function mapToolCallIds(messages: readonly Message[], rewrite: (id: string) => string): readonly Message[] {
  return messages.map((message): Message => {
    if (message.role === 'assistant' && message.tool_calls !== undefined) {
      return { ...message, tool_calls: message.tool_calls.map((call) => ({ ...call, id: rewrite(call.id) })) };
    }
    if (message.role === 'tool') return { ...message, tool_call_id: rewrite(message.tool_call_id) };
    return message;
  });
}
