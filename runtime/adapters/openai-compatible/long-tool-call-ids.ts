/**
 * OpenAI refuses tool-call ids longer than 40 characters ("string too long. Expected a string with
 * maximum length 40"), and ids issued by other providers can be longer: the Gemini adapter's ids carry
 * the thought signature Gemini needs back, often hundreds of characters. A conversation that started
 * on Gemini and continues on an OpenAI-family target (a split route, a failover) would be a 400 that
 * does not fail over. Longer ids are rewritten to `call_` + 32 characters of their sha256, the same
 * way in the assistant `tool_calls` and the `tool` messages (and on every attempt); shorter ids, and
 * messages without tool calls, are left as they are (the same array when nothing changes).
 */
import { createHash } from 'node:crypto';
import type { Message } from '../../openai/wire.js';
import { mapToolCallIds } from '../map-tool-call-ids.js';

export const MAX_TOOL_CALL_ID_LENGTH = 40;

export function shortenLongToolCallIds(messages: readonly Message[]): readonly Message[] {
  return messages.some(hasLongId) ? mapToolCallIds(messages, shorten) : messages;
}

function hasLongId(message: Message): boolean {
  if (message.role === 'tool') return message.tool_call_id.length > MAX_TOOL_CALL_ID_LENGTH;
  return message.role === 'assistant' && (message.tool_calls ?? []).some((call) => call.id.length > MAX_TOOL_CALL_ID_LENGTH);
}

function shorten(id: string): string {
  if (id.length <= MAX_TOOL_CALL_ID_LENGTH) return id;
  return `call_${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;
}
