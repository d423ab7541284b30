/**
 * OpenAI messages → Converse `system` + `messages` (providers.md §5.6):
 * - system and developer messages → `system: [{text}]`, in order;
 * - user text / images → content blocks; images as base64 bytes (from data URLs) or `s3Location`
 *   (s3:// URIs). Converse does not fetch http(s) URLs, so those are refused (or dropped and recorded);
 * - files given as data URLs → `document` blocks (pdf, csv, doc(x), xls(x), html, txt, md);
 * - assistant text and tool calls → `text` and `toolUse` blocks;
 * - tool messages → `toolResult` blocks in a user message;
 * - consecutive messages of one role merge, because Converse requires user and assistant to alternate
 *   (and the results of parallel tool calls to come back in one user message).
 * Tool-use ids must match `[a-zA-Z0-9_-]{1,64}`: ids from other providers are rewritten the same way
 * wherever they appear, so a call and its result still pair up.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ContentBlock.html
 */
import { parseDataUrl } from '../data-url.js';
import { mergeTurns, requireTurns } from '../merged-turns.js';
import { assistantText, messageText } from '../message-text.js';
import { parseToolArguments, type DropPolicy } from '../request-translation.js';
import { portableToolUseId } from '../tool-use-id.js';
import type { AssistantMessage, ContentPart, Message } from '../../openai/wire.js';
import type { BedrockContentBlock, BedrockDocumentFormat, BedrockImageFormat, BedrockMessage } from './wire.js';
import { ownValue } from '../../own-value.js';

export interface ConvertedMessages {
  readonly system: readonly { readonly text: string }[];
  readonly messages: readonly BedrockMessage[];
}

export function convertMessages(messages: readonly Message[], policy: DropPolicy): ConvertedMessages {
  const merged = mergeTurns<'user' | 'assistant', BedrockContentBlock>(messages, (message, index) => {
    switch (message.role) {
      case 'user':
        return { role: 'user', items: userBlocks(message.content, `messages[${index}]`, policy) };
      case 'assistant':
        return { role: 'assistant', items: assistantBlocks(message, index) };
      case 'tool':
        return { role: 'user', items: [{ toolResult: { toolUseId: toolUseId(message.tool_call_id), content: [{ text: messageText(message.content) }] } }] };
      default: {
        const never: never = message;
        return never;
      }
    }
  });
  requireTurns(merged, 'Bedrock Converse');
  return {
    system: merged.system.map((text) => ({ text })),
    messages: merged.turns.map((turn) => ({ role: turn.role, content: turn.items })),
  };
}

/** A tool-use id Converse accepts (its pattern, at most 64 characters). */
function toolUseId(id: string): string {
  return portableToolUseId(id, 64);
}

function userBlocks(content: string | readonly ContentPart[], path: string, policy: DropPolicy): BedrockContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const blocks: BedrockContentBlock[] = [];
  content.forEach((part, index) => {
    const block = userBlock(part, index);
    if (typeof block === 'string') policy.unsupported(`${path}.content[${index}]`, block);
    else if (!('text' in block) || block.text !== '') blocks.push(block);
  });
  return blocks;
}

/** The block for one OpenAI content part, or the reason Converse cannot take it. */
function userBlock(part: ContentPart, index: number): BedrockContentBlock | string {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return imageBlock(part.image_url.url);
    case 'input_audio':
      return 'Bedrock Converse takes no audio input';
    case 'file':
      return documentBlock(part.file.file_data, part.file.filename, index);
    default: {
      const never: never = part;
      return never;
    }
  }
}

/**
 * Media type or file extension → Converse image format.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html
 */
const IMAGE_FORMATS: Readonly<Record<string, BedrockImageFormat>> = {
  'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp',
  png: 'png', jpeg: 'jpeg', jpg: 'jpeg', gif: 'gif', webp: 'webp',
};

function imageBlock(url: string): BedrockContentBlock | string {
  if (url.startsWith('data:')) {
    const inline = parseDataUrl(url);
    const format = inline === undefined ? undefined : ownValue(IMAGE_FORMATS, inline.mimeType);
    if (inline === undefined || format === undefined) return 'Bedrock takes base64 PNG, JPEG, GIF or WebP images';
    return { image: { format, source: { bytes: inline.data } } };
  }
  if (url.startsWith('s3://')) {
    const extension = /\.([a-z]+)$/i.exec(url)?.[1]?.toLowerCase();
    const format = extension === undefined ? undefined : ownValue(IMAGE_FORMATS, extension);
    if (format === undefined) return 'an s3:// image needs a .png, .jpg, .gif or .webp name';
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  return 'Bedrock Converse does not fetch image URLs; send a base64 data URL or an s3:// URI';
}

/**
 * Media type → Converse document format.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_DocumentBlock.html
 */
const DOCUMENT_FORMATS: Readonly<Record<string, BedrockDocumentFormat>> = {
  'application/pdf': 'pdf', 'text/csv': 'csv', 'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html', 'text/plain': 'txt', 'text/markdown': 'md',
};

function documentBlock(fileData: string | undefined, filename: string | undefined, index: number): BedrockContentBlock | string {
  const inline = fileData === undefined ? undefined : parseDataUrl(fileData);
  const format = inline === undefined ? undefined : ownValue(DOCUMENT_FORMATS, inline.mimeType);
  if (inline === undefined || format === undefined) return 'Bedrock takes documents as base64 data URLs of pdf, csv, doc(x), xls(x), html, txt or md';
  return { document: { format, name: documentName(filename, index), source: { bytes: inline.data } } };
}

/** Converse document names allow letters, digits, single spaces, hyphens, parentheses and brackets. */
function documentName(filename: string | undefined, index: number): string {
  const stem = (filename ?? '').replace(/\.[^.]*$/, '').replace(/[^a-zA-Z0-9\s()[\]-]/g, '-').replace(/\s+/g, ' ').trim();
  return stem === '' ? `document-${index}` : stem.slice(0, 200);
}

function assistantBlocks(message: AssistantMessage, index: number): BedrockContentBlock[] {
  const blocks: BedrockContentBlock[] = [];
  const text = assistantText(message);
  if (text !== '') blocks.push({ text });
  (message.tool_calls ?? []).forEach((call, callIndex) => {
    const input = parseToolArguments(call.function.arguments, index, callIndex, 'Bedrock');
    blocks.push({ toolUse: { toolUseId: toolUseId(call.id), name: call.function.name, input } });
  });
  return blocks;
}
