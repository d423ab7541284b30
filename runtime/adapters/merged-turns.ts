/**
 * The conversation walk shared by providers whose turns must alternate (Gemini `contents`, Bedrock
 * `messages`): system and developer texts are gathered apart, every other message is converted by the
 * adapter in order, and consecutive turns of one role merge into one (which is also how the results of
 * parallel tool calls travel together). Empty conversions add nothing.
 */
import type { Message, SystemMessage } from '../openai/wire.js';
import { invalidRequest } from './error-common.js';
import { messageText } from './message-text.js';
import { RequestTranslationError } from './request-translation.js';

export interface MergedTurn<Role extends string, Item> {
  readonly role: Role;
  readonly items: readonly Item[];
}

export interface MergedConversation<Role extends string, Item> {
  /** Non-empty system and developer texts, in order. */
  readonly system: readonly string[];
  readonly turns: readonly MergedTurn<Role, Item>[];
}

export type ConversationMessage = Exclude<Message, SystemMessage>;

export function mergeTurns<Role extends string, Item>(
  messages: readonly Message[],
  convert: (message: ConversationMessage, index: number) => { readonly role: Role; readonly items: readonly Item[] },
): MergedConversation<Role, Item> {
  const system: string[] = [];
  const turns: { role: Role; items: Item[] }[] = [];
  messages.forEach((message, index) => {
    if (isSystem(message)) {
      const text = messageText(message.content);
      if (text !== '') system.push(text);
      return;
    }
    const { role, items } = convert(message, index);
    if (items.length === 0) return;
    const last = turns.at(-1);
    // One push per item: spreading a message's parts into push() passes each as an argument, and a
    // body of ~150 000 parts (4 MB, under the body limit) overflowed the stack.
    if (last !== undefined && last.role === role) for (const item of items) last.items.push(item);
    else turns.push({ role, items: [...items] });
  });
  return { system, turns };
}

function isSystem(message: Message): message is SystemMessage {
  return message.role === 'system' || message.role === 'developer';
}

/**
 * Providers built on this walk take no conversation without a user or assistant turn (OpenAI does:
 * system messages alone). Refused before the call, as a 400 that says why, so that a route's next
 * candidate (an OpenAI-compatible one) can still answer, where the provider's own "messages: Field
 * required" would have ended the request.
 */
export function requireTurns(merged: MergedConversation<string, unknown>, providerLabel: string): void {
  if (merged.turns.length > 0) return;
  throw new RequestTranslationError(invalidRequest('messages', `${providerLabel} needs at least one user or assistant message; this conversation has only system or developer messages (or only empty ones).`));
}
