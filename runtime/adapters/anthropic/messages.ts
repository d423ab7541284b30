/**
 * OpenAI messages → Anthropic `system` + alternating `messages` (providers.md §3.6).
 * - system / developer messages, wherever they stand, become text blocks of the top-level `system`.
 * - tool messages become `tool_result` blocks of a user turn; consecutive same-role turns merge into
 *   one, so tool results and the user's next words share a turn (tool results first, as required).
 * - a turn holding a single text block is sent as a plain string.
 * - `prefill` (stream continuation, design §3.6) is appended as a final assistant turn, trailing
 *   whitespace trimmed because the API rejects a final assistant turn that ends in whitespace.
 * @see https://docs.claude.com/en/api/messages
 */
import type { ContentPart, Message, ToolCall } from '../../openai/wire.js';
import { parseDataUrl } from '../data-url.js';
import { mergeTurns, requireTurns, type MergedTurn } from '../merged-turns.js';
import { assistantText, messageText } from '../message-text.js';
import { parseToolArguments, type DropPolicy } from '../request-translation.js';
import { portableToolUseId } from '../tool-use-id.js';
import type { RequestBlock, RequestMessage } from './wire.js';

/** Image media types the API accepts inline. @see https://docs.claude.com/en/docs/build-with-claude/vision */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface AnthropicMessages {
  readonly system: readonly { readonly type: 'text'; readonly text: string }[];
  readonly messages: readonly RequestMessage[];
}

type Turn = MergedTurn<'user' | 'assistant', RequestBlock>;

export function toAnthropicMessages(messages: readonly Message[], policy: DropPolicy, prefill: string | undefined): AnthropicMessages {
  const conversation = mergeTurns<Turn['role'], RequestBlock>(messages, (message, index) => {
    switch (message.role) {
      case 'user':
        return { role: 'user', items: userBlocks(message.content, index, policy) };
      case 'assistant':
        return {
          role: 'assistant',
          items: [
            ...textBlocks(assistantText(message)),
            ...(message.tool_calls ?? []).map((call, callIndex) => toolUse(call, index, callIndex)),
          ],
        };
      case 'tool':
        return { role: 'user', items: [{ type: 'tool_result', tool_use_id: portableToolUseId(message.tool_call_id), content: messageText(message.content) }] };
      default: {
        const never: never = message;
        return never;
      }
    }
  });
  requireTurns(conversation, 'Anthropic');
  const turns = withPrefill(conversation.turns, prefill === undefined ? [] : textBlocks(prefill.trimEnd()));
  return { system: conversation.system.map((text) => ({ type: 'text', text })), messages: turns.map(collapse) };
}

/** The prefill joins a trailing assistant turn or becomes the final one. */
function withPrefill(turns: readonly Turn[], prefill: readonly RequestBlock[]): readonly Turn[] {
  if (prefill.length === 0) return turns;
  const last = turns.at(-1);
  if (last?.role === 'assistant') return [...turns.slice(0, -1), { role: 'assistant', items: [...last.items, ...prefill] }];
  return [...turns, { role: 'assistant', items: prefill }];
}

function collapse(turn: Turn): RequestMessage {
  const items = withoutEmptyText(turn.items);
  const [only] = items;
  if (items.length === 1 && only?.type === 'text') return { role: turn.role, content: only.text };
  return { role: turn.role, content: items };
}

/**
 * The API refuses empty text blocks; beside other content (an image sent without words, a message
 * merged into the turn) one carries nothing. A turn of nothing but empty text still goes as it is, so
 * that no turn vanishes unsaid: the API's 400 tells the client.
 */
function withoutEmptyText(items: readonly RequestBlock[]): readonly RequestBlock[] {
  const kept = items.filter((item) => item.type !== 'text' || item.text !== '');
  return kept.length > 0 ? kept : items;
}

/** The API rejects empty text blocks, so empty text (e.g. `content: ""` beside tool calls) is left out. */
function textBlocks(text: string): RequestBlock[] {
  return text.length > 0 ? [{ type: 'text', text }] : [];
}

function userBlocks(content: string | readonly ContentPart[], messageIndex: number, policy: DropPolicy): RequestBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const blocks: RequestBlock[] = [];
  content.forEach((part, partIndex) => {
    const param = `messages[${messageIndex}].content[${partIndex}]`;
    if (part.type === 'text') blocks.push({ type: 'text', text: part.text });
    else if (part.type === 'image_url') {
      const block = imageBlock(part.image_url.url);
      if (block === undefined) policy.unsupported(param, 'Anthropic takes https image URLs or base64 data URLs of JPEG, PNG, GIF, WebP or PDF');
      else blocks.push(block);
    } else policy.unsupported(param, `${part.type} content parts are not supported by Anthropic`);
  });
  return blocks;
}

function imageBlock(url: string): RequestBlock | undefined {
  const inline = parseDataUrl(url);
  if (inline === undefined) return /^https?:\/\//i.test(url) ? { type: 'image', source: { type: 'url', url } } : undefined;
  if (IMAGE_TYPES.has(inline.mimeType)) return { type: 'image', source: { type: 'base64', media_type: inline.mimeType, data: inline.data } };
  if (inline.mimeType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: inline.data } };
  return undefined;
}

function toolUse(call: ToolCall, messageIndex: number, callIndex: number): RequestBlock {
  return { type: 'tool_use', id: portableToolUseId(call.id), name: call.function.name, input: parseToolArguments(call.function.arguments, messageIndex, callIndex, 'Anthropic') };
}
